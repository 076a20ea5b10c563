import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FolderObjectStore } from "../../../functions/adapters/local/folder-object-store.ts";
import { createArchive } from "../../../functions/archives/create.ts";
import { resolveTransferConfig } from "../../../functions/core/transfer-config.ts";
import {
  processingMcpAtPath,
  processingMcpInZip,
} from "../../../functions/transfer-metadata/processing-mcp-source.ts";
import { askedKeys, PRESETS } from "../../../workflows/processing-config.ts";
import { tempDir } from "../../helpers/fixtures.ts";

const NORMALIZE = "cb8e5706-e73f-472f-ad9b-d1236af8095f";
const EXAMINE = "accea2bf-ba74-4a3a-bb97-614775c74459";
const mcp = (choices: Array<[string, string]>) =>
  `<processingMCP><preconfiguredChoices>${choices
    .map(
      ([a, g]) =>
        `<preconfiguredChoice><appliesTo>${a}</appliesTo><goToChain>${g}</goToChain></preconfiguredChoice>`,
    )
    .join("")}</preconfiguredChoices></processingMCP>\n`;
/** Normalize for access (mapped) and Examine contents (no stepmatica decision point). */
const ACCESS = mcp([
  [NORMALIZE, "fb7a326e-1e50-4b48-91b9-4917ff8d0ae8"],
  [EXAMINE, "e0a39199-c62a-4a2f-98de-e9d1116460a8"],
]);

let root: string;
beforeAll(async () => {
  root = await tempDir("processing-mcp-source");
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(root, name);
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), body);
  }
  return dir;
}

describe("resolveTransferConfig: what every way of starting a transfer uses", () => {
  it("applies processingMCP.xml over the preset, and the starter's own settings over both", () => {
    const resolved = resolveTransferConfig(PRESETS.automated, ["aip_compression=zip"], {
      xml: ACCESS,
      where: "processingMCP.xml",
    });
    expect(resolved.config).toMatchObject({ normalize: "access", aip_compression: "zip" });
    expect(resolved.processingMcp).toEqual({
      source: "processingMCP.xml",
      applied: ["normalize=access"],
      notApplied: ["Examine contents: no stepmatica decision point"],
      askEverything: false,
    });
    const overridden = resolveTransferConfig(PRESETS.automated, ["normalize=none"], {
      xml: ACCESS,
      where: "processingMCP.xml",
    });
    expect(overridden.config.normalize).toBe("none");
  });

  it("an empty <preconfiguredChoices/> leaves every decision to an operator; no file changes nothing", () => {
    const asked = resolveTransferConfig(PRESETS.automated, [], { xml: mcp([]), where: "processingMCP.xml" });
    expect(asked.processingMcp?.askEverything).toBe(true);
    expect(askedKeys(asked.config).sort()).toEqual([
      "aip_compression",
      "dip",
      "extract_packages",
      "normalize",
      "scan_for_viruses",
    ]);
    expect(resolveTransferConfig(PRESETS.automated, [], null)).toEqual({
      config: PRESETS.automated,
      processingMcp: null,
    });
  });
});

describe("processingMCP.xml at a transfer's root, found before it starts", () => {
  it("in a folder", async () => {
    const dir = await folder("plain", { "objects/a.txt": "a\n", "processingMCP.xml": ACCESS });
    expect(await processingMcpAtPath(dir)).toEqual({ xml: ACCESS, where: "processingMCP.xml" });
    expect(await processingMcpAtPath(await folder("none", { "objects/a.txt": "a\n" }))).toBeNull();
  });

  it("in a ZIP, at its root or in the one folder it holds, read through ranged reads as from S3", async () => {
    const wrapped = await folder("wrapped", {
      "minutes/objects/a.txt": "a\n",
      "minutes/processingMCP.xml": ACCESS,
    });
    const zip = path.join(root, "store", "transfers", "minutes.zip");
    await createArchive(wrapped, zip, "zip");
    expect(await processingMcpAtPath(zip)).toEqual({
      xml: ACCESS,
      where: "minutes.zip: minutes/processingMCP.xml",
    });
    // The start-transfer Lambda's way: the object store's ranged reads, never the whole package.
    const store = new FolderObjectStore(path.join(root, "store"));
    const ranges: Array<[number, number]> = [];
    const found = await processingMcpInZip(
      {
        size: (await stat(zip)).size,
        read: (offset, length) => {
          ranges.push([offset, length]);
          return store.readRange("transfers/minutes.zip", offset, length);
        },
      },
      "minutes.zip",
    );
    expect(found?.xml).toBe(ACCESS);
    expect(ranges.length).toBeGreaterThan(0);

    const rootLevel = await folder("root-level", {
      "objects/a.txt": "a\n",
      "objects/b.txt": "b\n",
      "processingMCP.xml": ACCESS,
    });
    const zip2 = path.join(root, "root-level.zip");
    await createArchive(rootLevel, zip2, "zip");
    expect((await processingMcpAtPath(zip2))?.where).toBe("root-level.zip: processingMCP.xml");
    // Deeper than the root is not the transfer's configuration.
    const deeper = await folder("deeper", { "a/objects/x.txt": "x\n", "b/processingMCP.xml": ACCESS });
    const zip3 = path.join(root, "deeper.zip");
    await createArchive(deeper, zip3, "zip");
    expect(await processingMcpAtPath(zip3)).toBeNull();
  });
});
