import { describe, expect, it } from "vitest";
import { buildMets, MetsInputError, writeMets } from "../../../functions/mets/index.ts";
import { parseMetsSummary } from "../../../functions/mets/summary.ts";
import { attrValue, scanXml } from "../../../functions/mets/xml-scan.ts";
import { validateMetsXml } from "../../helpers/xsd.ts";
import {
  AIP_ID,
  DERIVATIVE_ID,
  DOC_ID,
  fileRecord,
  IMAGE_ID,
  NORMALIZATION_EVENT_ID,
  sampleInput,
} from "./sample-aip.ts";

const METS = "http://www.loc.gov/METS/";

/** The physical structMap as nested "label/" paths, read back through a namespace-aware scan. */
function structMapPaths(xml: string): string[] {
  const labels: string[] = [];
  const paths: string[] = [];
  scanXml(xml, {
    start(tag) {
      if (tag.ns !== METS || tag.local !== "div") return;
      labels.push(attrValue(tag, "LABEL") ?? "?");
      paths.push(labels.join("/") + (attrValue(tag, "TYPE") === "Directory" ? "/" : ""));
    },
    end(tag) {
      if (tag.ns === METS && tag.local === "div") labels.pop();
    },
  });
  return paths;
}

describe("buildMets on a small AIP", () => {
  const xml = buildMets(sampleInput());

  it("is valid against METS 1.12.1 + PREMIS 3.0", async () => {
    const result = await validateMetsXml(xml);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("gives the same bytes for the same input, and chunks that add up to it", () => {
    expect(buildMets(sampleInput())).toBe(xml);
    const reversed = {
      ...sampleInput(),
      files: sampleInput().files.reverse(),
      events: sampleInput().events.reverse(),
    };
    expect(buildMets(reversed)).toBe(xml);
    const chunks: string[] = [];
    writeMets(sampleInput(), (chunk) => chunks.push(chunk));
    expect(chunks.join("")).toBe(xml);
  });

  it("groups files by use and links each to its PREMIS facts", () => {
    const summary = parseMetsSummary(xml);
    expect(summary.objectId).toBe(AIP_ID);
    const byId = new Map(summary.files.map((f) => [f.id, f]));
    expect([...new Set(summary.files.map((f) => f.use))]).toEqual([
      "original",
      "preservation",
      "submissionDocumentation",
    ]);
    expect(byId.get(IMAGE_ID)).toMatchObject({
      use: "original",
      href: "objects/photos/Tom%20&%20Jerry%20%3C1%3E.jpg", // the path as a URI reference
      puid: "fmt/43",
      sha256: "383d349019ace0e235443c6cb8c5fa3174f00d562281947d36f5fd12aa263687",
      size: 6271469,
      eventTypes: ["message digest calculation", "format identification", "normalization"],
    });
    expect(byId.get(DERIVATIVE_ID)).toMatchObject({
      use: "preservation",
      puid: "fmt/353",
      eventTypes: ["creation"],
    });
    expect(byId.get(DOC_ID)).toMatchObject({ use: "submissionDocumentation", puid: null });
    expect(xml).toContain(`GROUPID="Group-${IMAGE_ID}" ID="file-${DERIVATIVE_ID}"`);
  });

  it("records original names, escaped, with characters XML cannot carry spelled as \\uXXXX", () => {
    expect(xml).toContain(
      "<premis:originalName>%transferDirectory%objects/photos/Tom &amp; Jerry &lt;1&gt;.jpg</premis:originalName>",
    );
    expect(xml).toContain(
      "<premis:originalName>%transferDirectory%objects/Übersicht \"quoted\" 'single'\\u0007.txt</premis:originalName>",
    );
    expect([...xml].filter((c) => c < " " && !"\t\n\r".includes(c))).toEqual([]);
  });

  it("links a derivative and its source both ways through the normalization event", () => {
    const relationship = (subType: string, objectId: string): RegExp =>
      new RegExp(
        `<premis:relationshipSubType>${subType}</premis:relationshipSubType>\\s*<premis:relatedObjectIdentifier>` +
          `\\s*<premis:relatedObjectIdentifierType>UUID</premis:relatedObjectIdentifierType>` +
          `\\s*<premis:relatedObjectIdentifierValue>${objectId}</premis:relatedObjectIdentifierValue>` +
          `\\s*</premis:relatedObjectIdentifier>\\s*<premis:relatedEventIdentifier>` +
          `\\s*<premis:relatedEventIdentifierType>UUID</premis:relatedEventIdentifierType>` +
          `\\s*<premis:relatedEventIdentifierValue>${NORMALIZATION_EVENT_ID}</premis:relatedEventIdentifierValue>`,
      );
    expect(xml).toMatch(relationship("has source", IMAGE_ID));
    expect(xml).toMatch(relationship("is source of", DERIVATIVE_ID));
  });

  it("mirrors the folder tree in the physical structMap with DC and package links", () => {
    const root = `demo & <test> Ünïcødé-${AIP_ID}`;
    expect(structMapPaths(xml)).toEqual([
      `${root}/`,
      `${root}/objects/`,
      `${root}/objects/photos/`,
      `${root}/objects/photos/Tom & Jerry <1>-${DERIVATIVE_ID}.tif`,
      `${root}/objects/photos/Tom & Jerry <1>.jpg`,
      `${root}/objects/submissionDocumentation/`,
      `${root}/objects/submissionDocumentation/agreement.pdf`,
      `${root}/objects/Übersicht "quoted" 'single'.txt`,
    ]);
    expect(xml).toMatch(
      /<mets:div LABEL="demo &amp; [^"]*" TYPE="Directory" DMDID="dmdSec_1" ADMID="amdSec_1">/,
    );
    expect(xml).toContain('<mets:div LABEL="objects" TYPE="Directory" DMDID="dmdSec_2">');
    expect(xml).toContain('<mets:div LABEL="Tom &amp; Jerry &lt;1&gt;.jpg" TYPE="Item" DMDID="dmdSec_3">');
  });

  it("carries the external identifier as altRecordID, PREMIS identifier and objects dc:identifier", () => {
    expect(xml).toContain('<mets:altRecordID TYPE="External-Identifier">PP/MDM/A/3/1a</mets:altRecordID>');
    expect(xml).toMatch(
      /<premis:objectIdentifierType>External-Identifier<\/premis:objectIdentifierType>\s*<premis:objectIdentifierValue>PP\/MDM\/A\/3\/1a</,
    );
    expect(xml).toMatch(
      /<dc:title>Letters &amp; &lt;papers&gt;<\/dc:title>[\s\S]*<dc:identifier>PP\/MDM\/A\/3\/1a</,
    );
  });

  it("keeps tool output as canonical JSON and names the creating application", () => {
    expect(xml).toContain(
      '<sm:tool xmlns:sm="urn:x-stepmatica:characteristics:1" name="exiftool" mediaType="application/json">' +
        '{"Comment":"]]&gt; &lt;b&gt;bold&lt;/b&gt; &amp; \\u0001 bell","ImageWidth":640,"Software":"GIMP 2.10"}</sm:tool>',
    );
    expect(xml).toContain("<premis:creatingApplicationName>GIMP 2.10</premis:creatingApplicationName>");
  });
});

describe("buildMets on other shapes", () => {
  it("writes a transfer with a removed file as a valid METS with a deleted group and no DC", async () => {
    const input = sampleInput();
    const removed = fileRecord({ id: "99999999-0000-4000-8000-000000000000", path: "objects/archive.zip" });
    removed.removed = true;
    const xml = buildMets({
      ...input,
      kind: "transfer",
      files: [...input.files, { file: removed, href: removed.path }],
      dublinCore: undefined,
      externalIdentifier: undefined,
      events: input.events.filter((e) => e.fileId !== null),
    });
    const result = await validateMetsXml(xml);
    expect(result.errors).toEqual([]);
    const summary = parseMetsSummary(xml);
    expect(summary.files.find((f) => f.id === removed.id)).toMatchObject({ use: "deleted", href: null });
    expect(structMapPaths(xml).some((p) => p.endsWith("archive.zip"))).toBe(false);
    expect(xml).not.toContain("dublincore");
    expect(xml).toContain('TYPE="transfer"');
  });

  it("rejects bad input with a MetsInputError naming the record", () => {
    const input = sampleInput();
    const withEvents = (agents: string[]) => ({ ...input, events: [{ ...input.events[0]!, agents }] });
    expect(() => buildMets(withEvents(["nobody"]))).toThrow(/names agent nobody, not in agents/);
    const badHref = { ...input, files: [{ file: input.files[0]!.file, href: "../etc/passwd" }] };
    expect(() => buildMets(badHref)).toThrow(MetsInputError);
    const badId = { ...input, files: [{ file: { ...input.files[0]!.file, id: "a b" }, href: "objects/x" }] };
    expect(() => buildMets(badId)).toThrow(/cannot form an xsd:ID/);
    const badTarget = { ...input, dublinCore: [{ target: "objects/missing", fields: { title: ["x"] } }] };
    expect(() => buildMets(badTarget)).toThrow(/objects\/missing is not a folder or file/);
    expect(() => buildMets({ ...input, createdAt: new Date(Number.NaN) })).toThrow(
      /createdAt is not a valid date/,
    );
    const orphan = { ...input, events: [{ ...input.events[1]!, fileId: "ffffffff" }] };
    expect(() => buildMets(orphan)).toThrow(/about file ffffffff, not in files/);
  });
});

describe("buildMets descriptive metadata (metadata.csv as Archivematica reads it)", () => {
  it("writes simple DC and DCMI Terms in a DC dmdSec and any other column in an OTHER dmdSec", async () => {
    const input = sampleInput();
    const fields = {
      "dc.title": ["Minutes"],
      "dc.provenance": ["Given by the society"],
      "dcterms.isPartOf": ["Society papers"],
      "dcterms.spatial": ["Leeds", "York"],
      titel: ["typo"],
      "Box number": ["12"],
    };
    const xml = buildMets({
      ...input,
      externalIdentifier: undefined,
      dublinCore: [{ target: "objects", fields }],
    });
    const result = await validateMetsXml(xml);
    expect(result.errors).toEqual([]);
    const dc = /<mets:mdWrap MDTYPE="DC">[\s\S]*?<\/mets:mdWrap>/.exec(xml)![0];
    expect(dc).toContain("<dc:title>Minutes</dc:title>");
    expect(dc).toContain("<dcterms:provenance>Given by the society</dcterms:provenance>");
    expect(dc).toMatch(
      /<dcterms:spatial>Leeds<\/dcterms:spatial>\s*<dcterms:spatial>York<\/dcterms:spatial>/,
    );
    const other = /<mets:mdWrap MDTYPE="OTHER" OTHERMDTYPE="CUSTOM">[\s\S]*?<\/mets:mdWrap>/.exec(xml)![0];
    expect(other).toContain("<titel>typo</titel>");
    expect(other).toContain("<Box_number>12</Box_number>");
    expect(dc).not.toContain("typo");
    // Both sections describe the objects div.
    expect(xml).toMatch(/<mets:div LABEL="objects" TYPE="Directory" DMDID="dmdSec_2 dmdSec_3">/);
  });
});

describe("validateMetsXml", () => {
  const xml = buildMets(sampleInput());

  it("reports a misspelt PREMIS element that lax processing would skip", async () => {
    const broken = xml
      .replace('<premis:agent version="3.0">', '<premis:agentt version="3.0">')
      .replace("</premis:agent>", "</premis:agentt>");
    expect(broken).not.toBe(xml);
    const result = await validateMetsXml(broken);
    expect(result.valid).toBe(false);
    expect(result.errors.join("\n")).toMatch(/premis:agentt is not declared by premis-v3-0\.xsd/);
  });

  it("reports schema errors inside PREMIS and METS, and foreign elements in a PREMIS mdWrap", async () => {
    const level = "<premis:compositionLevel>0</premis:compositionLevel>";
    const badOrder = xml.replace(level, "").replace("</premis:size>", `</premis:size>${level}`);
    const badMets = xml.replace(
      '<mets:fileGrp USE="original">',
      '<mets:fileGrp USE="original" COLOUR="red">',
    );
    const foreign = xml
      .replace('<premis:event version="3.0">', '<event xmlns="urn:other" version="3.0">')
      .replace(/<\/premis:event>/, "</event>");
    const [order, mets, wrongNs] = await Promise.all(
      [badOrder, badMets, foreign].map((doc) => validateMetsXml(doc)),
    );
    expect(order!.valid).toBe(false);
    expect(order!.errors.join("\n")).toMatch(/compositionLevel/);
    expect(mets!.valid).toBe(false);
    expect(mets!.errors.join("\n")).toMatch(/COLOUR/);
    expect(wrongNs!.valid).toBe(false);
    expect(wrongNs!.errors.join("\n")).toMatch(/MDTYPE="PREMIS:EVENT" holds \{urn:other\}event/);
  });
});
