import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { writeBag } from "../../functions/bagit/index.ts";
import { deflatedZeros, rawTar, rawZip } from "../unit/archives/fixtures.ts";

/**
 * The hostile corpus: each case is one transfer (a folder or a package file), generated here.
 * `expect` says what must happen: "completed" (every original in `originals`, keyed by the path
 * the depositor gave it, ends up in the AIP byte-identical) or "rejected"/"failed" with a reason
 * that names `names` (the file or package at fault).
 */
export interface HostileCase {
  name: string;
  /** The transfer to run: a folder or a file under the case's folder. */
  source: string;
  expect: "completed" | "rejected" | "failed";
  originals: Map<string, Buffer>;
  names?: string;
  /** Extra processing-configuration settings (KEY=VALUE) for this case. */
  settings?: string[];
}

type Files = Record<string, string | Buffer>;

async function folderCase(
  root: string,
  name: string,
  files: Files,
  expect: HostileCase["expect"] = "completed",
) {
  const source = path.join(root, name);
  await mkdir(source, { recursive: true });
  const originals = new Map<string, Buffer>();
  for (const [rel, body] of Object.entries(files)) {
    const file = path.join(source, ...rel.split("/"));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, body);
    originals.set(rel, Buffer.from(body));
  }
  return { name, source, expect, originals } satisfies HostileCase;
}

async function packageCase(
  root: string,
  name: string,
  file: string,
  bytes: Buffer,
  outcome: { expect: HostileCase["expect"]; names?: string; entries?: Files },
): Promise<HostileCase> {
  const dir = path.join(root, name);
  await mkdir(dir, { recursive: true });
  const source = path.join(dir, file);
  await writeFile(source, bytes);
  const originals = new Map<string, Buffer>([[file, bytes]]);
  for (const [rel, body] of Object.entries(outcome.entries ?? {}))
    originals.set(`${file}/${rel}`, Buffer.from(body));
  return {
    name,
    source,
    originals,
    expect: outcome.expect,
    ...(outcome.names ? { names: outcome.names } : {}),
  };
}

const zipOf = (files: Files) =>
  rawZip(Object.entries(files).map(([name, body]) => ({ name, data: Buffer.from(body) })));

/** Every case; `outside` is a folder beside the working storage that nothing may write into. */
export async function hostileCorpus(root: string, outside: string): Promise<HostileCase[]> {
  const fromRoot = path.relative("/", outside);
  const tricky: Files = {
    "a file with spaces.txt": "spaces\n",
    'it\'s "quoted".txt': "quotes\n",
    "-rf": "leading dash\n",
    "--help.txt": "two dashes\n",
    "semi;colon $(whoami) `id`.txt": "shell metacharacters\n",
    "line\nbreak.txt": "a newline in the name\n",
  };
  const cases: HostileCase[] = [];
  const zeros = await deflatedZeros(8);
  const honest = zipOf({ "a.txt": "a\n".repeat(2000), "b.txt": "b\n".repeat(2000) });

  cases.push(
    await packageCase(
      root,
      "zip-slip",
      "zip-slip.zip",
      zipOf({ ok: "ok\n", [`${"../".repeat(40)}${fromRoot}/zip-slip.txt`]: "x" }),
      {
        expect: "rejected",
        names: "zip-slip.zip",
      },
    ),
    await packageCase(
      root,
      "absolute-path",
      "absolute.tar",
      rawTar([{ name: `${outside}/absolute.txt`, data: Buffer.from("x") }]),
      {
        expect: "rejected",
        names: "absolute.tar",
      },
    ),
    await packageCase(
      root,
      "symlink-escape-in-tar",
      "link-escape.tar",
      rawTar([
        { name: "evil", type: "2", linkname: outside },
        { name: "evil/owned.txt", data: Buffer.from("x\n") },
      ]),
      { expect: "rejected", names: "link-escape.tar" },
    ),
    await packageCase(
      root,
      "archive-bomb",
      "bomb.zip",
      rawZip([{ name: "zeros.bin", compressed: zeros.compressed, crc: zeros.crc, declaredSize: zeros.size }]),
      { expect: "rejected", names: "bomb.zip" },
    ),
    await packageCase(
      root,
      "truncated-archive",
      "truncated.zip",
      honest.subarray(0, Math.floor(honest.length / 2)),
      {
        expect: "rejected",
        names: "truncated.zip",
      },
    ),
    await packageCase(
      root,
      "tricky-names-in-zip",
      "names.zip",
      zipOf({ ...tricky, "档案/文件 一.txt": "cjk\n" }),
      {
        expect: "completed",
        entries: { ...tricky, "档案/文件 一.txt": "cjk\n" },
      },
    ),
  );

  const links = await folderCase(root, "symlink-escape", { "ok.txt": "ok\n" }, "rejected");
  await symlink("/etc/passwd", path.join(links.source, "passwd-link"));
  cases.push({ ...links, names: "passwd-link" });
  const loop = await folderCase(root, "symlink-loop", { "ok.txt": "ok\n" }, "rejected");
  await symlink("loop-b", path.join(loop.source, "loop-a"));
  await symlink("loop-a", path.join(loop.source, "loop-b"));
  await mkdir(path.join(loop.source, "dir"));
  await symlink(".", path.join(loop.source, "dir", "self"));
  cases.push({ ...loop, names: "loop-a" });

  cases.push(
    await folderCase(root, "misnamed-files", {
      "photo.pdf": Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"),
      "archive.zip": "only looks like a package\n",
      "document.txt": Buffer.from("%PDF-1.4\n%%EOF\n"),
    }),
  );

  const bag = path.join(root, "invalid-bag");
  await mkdir(path.join(bag, "data"), { recursive: true });
  await writeFile(path.join(bag, "data", "payload.txt"), "original\n");
  await writeBag(bag, { algorithms: ["sha256"] });
  await writeFile(path.join(bag, "data", "payload.txt"), "tampered\n");
  cases.push({
    name: "invalid-bag",
    source: bag,
    expect: "rejected",
    names: "payload.txt",
    originals: new Map(),
  });

  const sums = await folderCase(
    root,
    "bad-supplied-checksums",
    { "a.txt": "a\n", "b.txt": "b\n" },
    "rejected",
  );
  await mkdir(path.join(sums.source, "metadata"));
  await writeFile(
    path.join(sums.source, "metadata", "checksum.sha256"),
    `${"0".repeat(64)}  ../objects/a.txt\n`,
  );
  cases.push({ ...sums, names: "a.txt" });

  cases.push(
    await folderCase(root, "zero-byte-files", { "empty.txt": "", "sub/also-empty": "", "full.txt": "x\n" }),
  );
  const empties = await folderCase(root, "empty-folders", { "kept.txt": "kept\n" });
  for (const dir of ["empty", "nested/empty/too", "nested/sibling"])
    await mkdir(path.join(empties.source, dir), { recursive: true });
  cases.push(empties);
  const nothing = path.join(root, "only-empty-folders");
  await mkdir(path.join(nothing, "a", "b"), { recursive: true });
  cases.push({
    name: "only-empty-folders",
    source: nothing,
    expect: "rejected",
    names: "objects/",
    originals: new Map(),
  });

  const deep = Array.from({ length: 40 }, (_, i) => `level${i + 1}`).join("/");
  cases.push(
    await folderCase(root, "40-level-deep", {
      [`${deep}/deep.txt`]: "forty folders down\n",
      "top.txt": "top\n",
    }),
  );
  cases.push(await folderCase(root, "tricky-names", tricky));
  cases.push(
    await folderCase(root, "nfc-nfd-twins", {
      ["café.txt".normalize("NFC")]: "composed\n",
      ["café.txt".normalize("NFD")]: "decomposed\n",
    }),
  );
  cases.push(
    await folderCase(root, "case-only-twins", {
      "Readme.txt": "one\n",
      "README.txt": "two\n",
      "readme.txt": "three\n",
    }),
  );
  cases.push(
    await folderCase(root, "cjk-and-emoji", {
      "档案/文件 一.txt": "cjk\n",
      "写真/😀🎉 party.txt": "emoji\n",
      "Ελληνικά.txt": "greek\n",
      "עברית.txt": "hebrew\n",
    }),
  );
  const longNames = await folderCase(root, "255-byte-names", {
    [`${"n".repeat(251)}.txt`]: "255 ASCII bytes\n",
    [`${"é".repeat(125)}.txt`]: "254 bytes of two-byte letters\n",
    [`${"文".repeat(83)}.txt`]: "253 bytes of three-byte letters\n",
  });
  cases.push({ ...longNames, settings: ["dip=true"] }); // the DIP copies originals too
  return cases;
}
