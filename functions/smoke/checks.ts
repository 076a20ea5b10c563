import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { extractArchive } from "../archives/index.ts";
import { validateBag } from "../bagit/index.ts";
import { digestFile } from "../core/digest.ts";
import { METS_NS } from "../mets/build-mets.ts";
import { scanXml } from "../mets/xml-scan.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import type { GeneratedTransfer } from "./transfer.ts";

export interface AipCheck {
  /** "absent": nothing stored under the AIP's name yet. */
  status: "absent" | "valid" | "invalid";
  problems: string[];
  /** Where the AIP is stored (an s3:// URL or a path), and where it was downloaded to. */
  location: string | null;
  bagDir: string | null;
  metsPath: string | null;
  /** Object keys stored for this AIP. */
  keys: string[];
}

const COMPRESSED = [".7z", ".zip", ".tar.gz"];

const sha256File = async (file: string) => (await digestFile(file)).digests.sha256!;

async function listFiles(root: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) for (const file of await listFiles(root, child)) out.push(file);
    else out.push(child);
  }
  return out.sort();
}

/**
 * Downloads the AIP stored as `<aipName>` (a folder of objects) or `<aipName>.7z|.zip|.tar.gz` into
 * scratchDir and checks it as the end-to-end tests do: a valid BagIt bag, a METS document naming every
 * original by its SHA-256, and the originals byte-identical to what was deposited (inside the stored
 * package, or extracted from it when the workflow extracts packages).
 */
export async function checkAip(
  aips: ObjectStore,
  aipName: string,
  transfer: GeneratedTransfer,
  scratchDir: string,
): Promise<AipCheck> {
  const keys: string[] = [];
  for await (const key of aips.list(aipName)) {
    if (key === aipName || key.startsWith(`${aipName}/`) || COMPRESSED.some((ext) => key === aipName + ext))
      keys.push(key);
  }
  keys.sort();
  const none: AipCheck = {
    status: "absent",
    problems: [],
    location: null,
    bagDir: null,
    metsPath: null,
    keys,
  };
  if (keys.length === 0) return none;
  const download = await mkdtemp(path.join(scratchDir, "aip-"));
  const compressed = keys.find((key) => COMPRESSED.some((ext) => key === aipName + ext));
  let bagDir: string;
  let location: string;
  if (compressed) {
    location = aips.locationOf(compressed);
    const file = path.join(download, compressed);
    await aips.getToFile(compressed, file);
    await extractArchive(file, path.join(download, "extracted"));
    bagDir = await bagRoot(path.join(download, "extracted"));
  } else {
    location = aips.locationOf(aipName);
    for (const key of keys) await aips.getToFile(key, path.join(download, ...key.split("/")));
    bagDir = path.join(download, aipName);
  }
  const problems: string[] = [];
  const bag = await validateBag(bagDir);
  for (const p of bag.problems.slice(0, 20)) problems.push(`bag: ${p.file}: ${p.message} (${p.rule})`);
  if (!bag.valid && bag.problems.length === 0) problems.push("bag: not valid");
  const metsPath = await checkMets(bagDir, transfer, problems);
  await checkOriginals(bagDir, transfer, download, problems);
  return { status: problems.length === 0 ? "valid" : "invalid", problems, location, bagDir, metsPath, keys };
}

/** The bag is the extraction root, or the one folder in it. */
async function bagRoot(dir: string): Promise<string> {
  if (await stat(path.join(dir, "bagit.txt")).catch(() => null)) return dir;
  const entries = await readdir(dir, { withFileTypes: true });
  const folders = entries.filter((e) => e.isDirectory());
  return folders.length === 1 && entries.length === 1 ? path.join(dir, folders[0]!.name) : dir;
}

async function checkMets(
  bagDir: string,
  transfer: GeneratedTransfer,
  problems: string[],
): Promise<string | null> {
  const data = path.join(bagDir, "data");
  const names = await readdir(data).catch(() => [] as string[]);
  const mets = names.find((n) => /^METS\..+\.xml$/.test(n));
  if (!mets) {
    problems.push("METS: no data/METS.<uuid>.xml in the AIP");
    return null;
  }
  const metsPath = path.join(data, mets);
  const xml = await readFile(metsPath, "utf8");
  let root: string | null = null;
  const digests = new Set<string>();
  try {
    scanXml(xml, {
      start: (tag, ancestors) => {
        if (ancestors.length === 0) root = `{${tag.ns}}${tag.local}`;
      },
      text: (text, ancestors) => {
        if (ancestors.at(-1)?.local === "messageDigest") digests.add(text.trim().toLowerCase());
      },
    });
  } catch (error) {
    problems.push(`METS: ${mets} is not well-formed: ${(error as Error).message}`);
    return metsPath;
  }
  if (root !== `{${METS_NS}}mets`) problems.push(`METS: root element is ${root}, not mets:mets`);
  // Either the package itself is an original (packages not extracted) or each of its files is.
  const named = digests.has(transfer.packageSha256) || transfer.files.every((f) => digests.has(f.sha256));
  if (!named) problems.push("METS: the originals' SHA-256 digests are not recorded (premis:messageDigest)");
  return metsPath;
}

async function checkOriginals(
  bagDir: string,
  transfer: GeneratedTransfer,
  scratch: string,
  problems: string[],
): Promise<void> {
  const objects = path.join(bagDir, "data", "objects");
  const stored = await listFiles(objects).catch(() => [] as string[]);
  const packageName = path.basename(transfer.packagePath);
  const storedPackage = stored.find((rel) => rel === packageName || rel.endsWith(`/${packageName}`));
  if (storedPackage) {
    const file = path.join(objects, ...storedPackage.split("/"));
    if ((await sha256File(file)) !== transfer.packageSha256) {
      problems.push(`originals: ${storedPackage} differs from the uploaded package`);
      return;
    }
    const unpacked = path.join(scratch, "package");
    await extractArchive(file, unpacked);
    await compareFiles(unpacked, await listFiles(unpacked), transfer, problems);
    return;
  }
  await compareFiles(objects, stored, transfer, problems);
}

/** Every original must be found (at its path, possibly under a folder named after the package) with its bytes. */
async function compareFiles(
  root: string,
  present: string[],
  transfer: GeneratedTransfer,
  problems: string[],
) {
  for (const original of transfer.files) {
    const match = present.find((rel) => rel === original.path || rel.endsWith(`/${original.path}`));
    if (!match) problems.push(`originals: ${original.path} is missing from the AIP`);
    else if ((await sha256File(path.join(root, ...match.split("/")))) !== original.sha256)
      problems.push(`originals: ${original.path} is not byte-identical to what was deposited`);
  }
}

/**
 * Polls until the AIP is there and valid, or the time is up (an AIP stored as many objects can be
 * caught half-written: that counts as not there yet). Returns the last check.
 */
export async function waitForAip(
  aips: ObjectStore,
  aipName: string,
  transfer: GeneratedTransfer,
  options: {
    scratchDir: string;
    timeoutMs: number;
    intervalMs?: number;
    /** Stops waiting (e.g. the workflow failed); the last check is returned. */
    signal?: AbortSignal;
    onPoll?(check: AipCheck): void | Promise<void>;
  },
): Promise<AipCheck> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const scratch = await mkdtemp(path.join(options.scratchDir, "poll-"));
    const check = await checkAip(aips, aipName, transfer, scratch);
    await options.onPoll?.(check);
    if (check.status === "valid" || Date.now() >= deadline || options.signal?.aborted) return check;
    await rm(scratch, { recursive: true, force: true });
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 2_000));
  }
}
