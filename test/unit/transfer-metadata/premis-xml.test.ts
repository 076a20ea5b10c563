import { createHash } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FileRecord, newFileRecord } from "../../../functions/core/model.ts";
import { checkPremisFixity } from "../../../functions/transfer-metadata/premis-fixity.ts";
import { provenanceFromPremis } from "../../../functions/transfer-metadata/premis-xml.ts";
import { targetResolver } from "../../../functions/transfer-metadata/targets.ts";
import { tempDir } from "../../helpers/fixtures.ts";
import { type FixtureObject, premisXml } from "../../helpers/premis-fixture.ts";
import { validatePremisXml } from "../../helpers/xsd.ts";

const UNIT = "6f1c0a52-2b3e-4d1a-9c3e-1d2f3a4b5c6d";
const BIRD = "ID3 tag and a tune\n";
const md5 = (s: string) => createHash("md5").update(s).digest("hex");

const files: FileRecord[] = [
  newFileRecord({
    id: "f-bird",
    unitId: UNIT,
    path: "objects/bird.mp3",
    originalPath: "bird.mp3",
    size: BIRD.length,
  }),
  newFileRecord({
    id: "f-tif",
    unitId: UNIT,
    path: "objects/beihai.tif",
    originalPath: "beihai.tif",
    size: 4,
  }),
];

/** The manual's example (object → events, event → agent), with a checksum, a size and a licence added. */
function documented(object: Partial<FixtureObject> = {}) {
  return premisXml({
    objects: [
      {
        id: "hdl:3847677",
        originalName: "objects/bird.mp3",
        formatName: "MPEG 1/2 Audio Layer 3",
        puid: "fmt/134",
        md5: md5(BIRD),
        size: BIRD.length,
        events: ["NRI-016", "NRI-017"],
        ...object,
      },
    ],
    events: [
      {
        id: "NRI-016",
        type: "ingestion",
        dateTime: "2019-07-04T22:46:07.773391+00:00",
        detail: "Acquired via records transfer 002/041",
        agent: "NRI",
      },
      {
        id: "NRI-017",
        type: "virus check",
        dateTime: "2019-07-04T22:46:07.773391+00:00",
        detail: 'program="ClamAV (clamd)"; version="ClamAV 0.100.3"',
        outcome: "Pass",
        agent: "NRI",
      },
    ],
    agents: [{ id: "NRI", name: "Not a Real Institution", type: "organization" }],
    rights: [
      {
        id: "r-1",
        objects: ["hdl:3847677"],
        licenseTerms: "CC BY 4.0",
        act: "publish",
        restriction: "Allow",
      },
    ],
  });
}

const importOf = (xml: string) =>
  provenanceFromPremis(xml, "metadata/premis.xml", targetResolver(files), { unitId: UNIT, files });

describe("metadata/premis.xml, as Archivematica's manual lays it out", () => {
  it("is a valid PREMIS 3 document (the fixture is what the schema allows)", async () => {
    const validation = await validatePremisXml(documented());
    expect(validation.errors).toEqual([]);
    expect(validation.valid).toBe(true);
  });

  it("gives the file its events (linked from the object's side), their agent, the rights and the formats", () => {
    const imported = importOf(documented());
    expect(imported.events.map((e) => [e.fileId, e.type, e.outcome])).toEqual([
      ["f-bird", "ingestion", "success"],
      ["f-bird", "virus check", "success"],
    ]);
    expect(imported.events[1]!.dateTime.toISOString()).toBe("2019-07-04T22:46:07.773Z");
    expect(imported.events[1]!.outcomeDetail).toMatch(/recorded outcome "Pass"; event NRI-017/);
    expect(imported.agents).toEqual([
      expect.objectContaining({
        type: "organization",
        name: "Not a Real Institution",
        identifierValue: "NRI",
      }),
    ]);
    expect(imported.events.every((e) => e.agents[0] === imported.agents[0]!.id)).toBe(true);
    expect(imported.rights).toEqual([
      expect.objectContaining({
        target: "objects/bird.mp3",
        basis: "License",
        terms: "CC BY 4.0",
        act: "publish",
        restrictions: ["Allow"],
      }),
    ]);
    expect(imported.characteristics).toEqual([
      {
        target: "objects/bird.mp3",
        formats: [{ name: "MPEG 1/2 Audio Layer 3", registryName: "PRONOM", registryKey: "fmt/134" }],
        fixity: [{ algorithm: "md5", digest: md5(BIRD) }],
        source: "metadata/premis.xml",
      },
    ]);
  });

  it("refuses an object naming a file that is not in the transfer, naming the line and the name", () => {
    expect(() => importOf(documented({ originalName: "objects/owl.mp3" }))).toThrow(
      /^metadata\/premis\.xml line 3: "objects\/owl\.mp3" is not a file or folder of the transfer$/,
    );
  });

  it("refuses links to entities the file does not hold, and events that describe no file", () => {
    expect(() => importOf(documented({ events: ["NRI-016", "NRI-099"] }))).toThrow(
      /line 3: links to premis:event "NRI-099" \(type "NRI Repository Event ID"\), which premis\.xml does not hold/,
    );
    expect(() => importOf(documented({ events: ["NRI-016"] }))).toThrow(
      /premis:event "NRI-017" .* is linked to no premis:object/,
    );
    expect(() =>
      importOf(
        documented().replace(/>NRI<\/premis:agentIdentifierValue>/, ">NRX</premis:agentIdentifierValue>"),
      ),
    ).toThrow(/links to premis:agent "NRI" .*which premis\.xml does not hold/);
  });
});

describe("premis.xml checksums and sizes against the files", () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir("premis-fixity");
    await mkdir(path.join(root, "objects"), { recursive: true });
    await writeFile(path.join(root, "objects", "bird.mp3"), BIRD);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));
  const check = (xml: string) =>
    checkPremisFixity(xml, "metadata/premis.xml", root, files, new AbortController().signal);

  it("a matching md5 and size pass", async () => {
    expect(await check(documented())).toEqual([
      { path: "objects/bird.mp3", line: 3, checked: ["size", "md5"], problems: [], warnings: [] },
    ]);
  });

  it("a checksum or size that does not match is a problem naming both values", async () => {
    const [result] = await check(documented({ md5: md5("other"), size: 3 }));
    expect(result!.problems).toEqual([
      `size in metadata/premis.xml line 3 is 3 bytes, the file's is ${BIRD.length} bytes`,
      `md5 in metadata/premis.xml line 3 is ${md5("other")}, the file's is ${md5(BIRD)}`,
    ]);
  });

  it("an algorithm we cannot compute is a warning, not a silent pass", async () => {
    const [result] = await check(documented({ algorithm: "CRC32", md5: "deadbeef" }));
    expect(result!.problems).toEqual([]);
    expect(result!.checked).toEqual(["size"]);
    expect(result!.warnings).toEqual([
      expect.stringMatching(/messageDigestAlgorithm "CRC32" is not one stepmatica computes/),
    ]);
  });
});
