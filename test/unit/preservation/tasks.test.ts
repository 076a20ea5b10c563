import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractArchive } from "../../../functions/archives/index.ts";
import { closeExifTool } from "../../../functions/preservation/exiftool.ts";
import { characterize } from "../../../functions/tasks/characterize.ts";
import { compressAip } from "../../../functions/tasks/compress-aip.ts";
import { normalize } from "../../../functions/tasks/normalize.ts";
import { validateFormats } from "../../../functions/tasks/validate-formats.ts";
import { pdfBytes, pngBytes, tempDir } from "../../helpers/fixtures.ts";
import { wavBytes } from "../../helpers/media-fixtures.ts";
import { fileRecord, taskContext } from "./task-context.ts";

let root: string;
const bodies: Record<string, Buffer | string> = {};
beforeAll(async () => {
  root = await tempDir("preservation-tasks");
  Object.assign(bodies, {
    "objects/pic.png": await pngBytes(10, 6),
    "objects/doc.pdf": pdfBytes("doc"),
    "objects/sound.wav": wavBytes(400),
    "objects/notes.txt": "plain notes\n",
  });
  for (const [rel, body] of Object.entries(bodies)) {
    const file = path.join(root, "sips", "unit", ...rel.split("/"));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, body);
  }
});
afterAll(async () => {
  await closeExifTool();
  await rm(root, { recursive: true, force: true });
});

const files = () => Object.keys(bodies).map((rel, i) => fileRecord(rel, i));

describe("characterize", () => {
  it("records ExifTool output for every file and MediaInfo/ffprobe for audio; twice gives the same", async () => {
    const first = await characterize.run(taskContext(root, files()));
    const second = await characterize.run(taskContext(root, files()));
    expect(second).toEqual(first);
    expect(first.exitCode).toBe(0);
    expect(first.fileUpdates).toHaveLength(4);
    const png = first.fileUpdates!.find((u) => u.id === fileRecord("objects/pic.png", 0).id)!;
    expect(png.characteristics!.exiftool).toMatchObject({ FileType: "PNG", ImageWidth: 10 });
    expect(JSON.stringify(png.characteristics)).not.toMatch(/FileModifyDate|sips\/unit/);
    const wav = first.fileUpdates!.find((u) => u.id === fileRecord("objects/sound.wav", 2).id)!;
    expect(Object.keys(wav.characteristics!).sort()).toEqual(["exiftool", "ffprobe", "mediainfo"]);
    expect(first.events!.map((e) => e.type)).toEqual(Array(4).fill("metadata extraction"));
  });
});

describe("validate-formats", () => {
  it("records a validation event per applicable check; twice gives the same", async () => {
    const first = await validateFormats.run(taskContext(root, files()));
    const second = await validateFormats.run(taskContext(root, files()));
    expect(second.events).toEqual(first.events);
    expect(first.exitCode).toBe(0);
    expect(first.events!.every((e) => e.type === "validation" && e.outcome === "success")).toBe(true);
    // png, pdf, wav (riff + mediaconch), txt
    expect(first.events).toHaveLength(5);
  });
});

describe("normalize", () => {
  it("preservation: a TIFF beside the PNG and a PDF/A; twice gives the same bytes and records", async () => {
    const first = await normalize.run(taskContext(root, files(), { args: ["preservation"] }));
    const tiff = first.newFiles!.find((f) => f.path.endsWith(".tif"))!;
    const bytes = await readFile(path.join(root, "sips", "unit", ...tiff.path.split("/")));
    const second = await normalize.run(taskContext(root, files(), { args: ["preservation"] }));
    expect(second.newFiles!.map(({ createdAt, ...f }) => f)).toEqual(
      first.newFiles!.map(({ createdAt, ...f }) => f),
    );
    expect(first.exitCode).toBe(0);
    expect(first.newFiles!.map((f) => f.path.replace(/-[0-9a-f-]{36}/, "-<uuid>")).sort()).toEqual([
      "objects/doc-<uuid>.pdf",
      "objects/pic-<uuid>.tif",
    ]);
    expect(tiff).toMatchObject({
      group: "preservation",
      derivedFrom: fileRecord("objects/pic.png", 0).id,
      puid: "fmt/353",
    });
    expect((await sharp(bytes).metadata()).format).toBe("tiff");
    expect(first.events!.map((e) => e.type).sort()).toEqual([
      "creation",
      "creation",
      "message digest calculation",
      "message digest calculation",
      "normalization",
      "normalization",
    ]);
    const leftovers = (await readdir(path.join(root, "sips", "unit", "objects"))).filter((n) =>
      n.includes("partial"),
    );
    expect(leftovers).toEqual([]);
  });

  it("access: JPEG and MP3 under DIP/objects", async () => {
    const first = await normalize.run(taskContext(root, files(), { args: ["access"] }));
    expect(first.newFiles!.map((f) => f.path.replace(/-[0-9a-f-]{36}/, "-<uuid>")).sort()).toEqual([
      "DIP/objects/pic-<uuid>.jpg",
      "DIP/objects/sound-<uuid>.mp3",
    ]);
    expect(first.newFiles!.every((f) => f.group === "access" && /^[0-9a-f]{64}$/.test(f.sha256 ?? ""))).toBe(
      true,
    );
  });

  it("a file the tool cannot read: failure recorded, exit code 2, original untouched", async () => {
    const broken = path.join(root, "sips", "unit", "objects", "broken.png");
    await writeFile(broken, "not really a png");
    const record = fileRecord("objects/broken.png", 9);
    const result = await normalize.run(taskContext(root, [record], { args: ["preservation"] }));
    expect(result.exitCode).toBe(2);
    expect(result.newFiles).toEqual([]);
    expect(result.events).toMatchObject([{ type: "normalization", outcome: "failure" }]);
    expect(await readFile(broken, "utf8")).toBe("not really a png");
    await rm(broken);
  });
});

describe("compress-aip", () => {
  it.each(["7z", "zip", "tar.gz"] as const)(
    "%s: the archive holds <name>-<uuid>/ and is byte-identical on a rerun",
    async (kind) => {
      const ctx = taskContext(root, [], { config: { aip_compression: kind } });
      const name = `unit-${ctx.unit.id}`;
      const bag = path.join(root, "aips", name);
      await mkdir(path.join(bag, "data"), { recursive: true });
      await writeFile(path.join(bag, "bagit.txt"), "BagIt-Version: 1.0\n");
      await writeFile(path.join(bag, "data", "a.txt"), "a\n");
      await compressAip.run(ctx);
      const once = await readFile(`${bag}.${kind}`);
      await compressAip.run(taskContext(root, [], { config: { aip_compression: kind } }));
      expect((await readFile(`${bag}.${kind}`)).equals(once)).toBe(true);
      expect(await readdir(path.join(root, "aips"))).toContain(name); // the bag folder is back in place
      const dest = path.join(root, `x-${kind}`);
      await extractArchive(`${bag}.${kind}`, dest);
      expect(await readFile(path.join(dest, name, "data", "a.txt"), "utf8")).toBe("a\n");
    },
  );
});
