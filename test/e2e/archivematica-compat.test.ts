/**
 * Transfers laid out as Archivematica's documentation describes them (built here), run whole through
 * the CLI: what Archivematica accepts becomes an AIP, and what it reads from metadata/ reaches the
 * AIP METS, which validates against METS 1.12.1 + PREMIS 3.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { scanXml } from "../../functions/mets/xml-scan.ts";
import { runAutomated, stepmatica } from "../helpers/cli.ts";
import { pdfBytes, pngBytes, tempDir } from "../helpers/fixtures.ts";
import { premisXml } from "../helpers/premis-fixture.ts";
import { expectValidAip } from "./aip-checks.ts";

// Whole runs through the pipeline (identification, normalization, METS, bag) on a shared machine.
vi.setConfig({ testTimeout: 300_000 });

let root: string;
let env: Record<string, string>;
beforeAll(async () => {
  root = await tempDir("e2e-archivematica");
  env = { STEPMATICA_HOME: path.join(root, "home") };
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const run = (source: string, name: string, ...extra: string[]) =>
  runAutomated(root, env, source, name, ...extra);

async function put(dir: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), body);
  }
}

const md5 = (body: string | Buffer) => createHash("md5").update(body).digest("hex");

/** The METS elements' text and attributes, by element local name, for checks that do not depend on layout. */
function elementsOf(xml: string, local: string): Array<{ attrs: Record<string, string>; text: string }> {
  const found: Array<{ attrs: Record<string, string>; text: string }> = [];
  const open: Array<{ attrs: Record<string, string>; text: string } | null> = [];
  scanXml(xml, {
    start(tag) {
      const entry =
        tag.local === local
          ? { attrs: Object.fromEntries(tag.attrs.map((a) => [a.local, a.value])), text: "" }
          : null;
      if (entry) found.push(entry);
      open.push(entry);
    },
    end() {
      open.pop();
    },
    text(text) {
      for (const entry of open) if (entry) entry.text += text;
    },
  });
  return found;
}

const MINUTES = "Minutes of the annual meeting, 1923.\n";

async function standardTransfer(dir: string): Promise<Record<string, string | Buffer>> {
  const objects: Record<string, string | Buffer> = {
    "objects/letters/minutes.txt": MINUTES,
    "objects/images/page-1.png": await pngBytes(16, 12, 1),
    "objects/images/page-2.png": await pngBytes(16, 12, 2),
  };
  const structMap = `<?xml version="1.0" encoding="UTF-8"?>
<mets:mets xmlns:mets="http://www.loc.gov/METS/">
  <mets:structMap TYPE="logical" LABEL="Hierarchical arrangement">
    <mets:div TYPE="Book" LABEL="Annual report">
      <mets:div TYPE="page" LABEL="Page 1"><mets:fptr FILEID="p1" CONTENTIDS="objects/images/page-1.png"/></mets:div>
      <mets:div TYPE="page" LABEL="Page 2"><mets:fptr FILEID="p2" CONTENTIDS="objects/images/page-2.png"/></mets:div>
    </mets:div>
  </mets:structMap>
</mets:mets>
`;
  await put(dir, {
    ...objects,
    // UTF-8 with a BOM, old-Mac \r line endings, DCMI Terms, a repeated column and a local column.
    "metadata/metadata.csv": `\uFEFFfilename,dc.title,dc.provenance,dcterms.isPartOf,dc.subject,dc.subject,Box number\robjects/,Society papers,Given by the secretary,Leeds collections,meetings,minutes,12\robjects/letters/minutes.txt,Minutes 1923,,,,,\r`,
    "metadata/metadata.json": JSON.stringify([
      {
        filename: "objects/images/page-2.png",
        "dc.title": "Second page",
        "dc.subject": ["printing", "reports"],
      },
    ]),
    "metadata/rights.csv":
      "file,basis,status,determination_date,jurisdiction,start_date,end_date,terms,citation,note,grant_act,grant_restriction,grant_start_date,grant_end_date,grant_note,doc_id_type,doc_id_value,doc_id_role\n" +
      "objects,copyright,copyrighted,2020-01-01,gb,1923-01-01,open,,,Society copyright,disseminate,Disallow,2020-01-01,open,Closed until review,URI,https://example.org/deed,deed of gift\n" +
      "objects/images/page-1.png,license,,,,2020-01-01,,CC BY 4.0,,,publish,,,,,,,\n",
    "metadata/identifiers.json": JSON.stringify([
      { file: "objects", identifiers: [{ identifier: "ACC-1923-07", identifierType: "local accession" }] },
      { file: "objects/images", identifiers: [{ identifier: "ark:/99999/images", identifierType: "ARK" }] },
      {
        file: "objects/letters/minutes.txt",
        identifiers: [{ identifier: "10.9999/minutes", identifierType: "DOI" }],
      },
    ]),
    "metadata/file_labels.csv": "filename,label\nobjects/images/page-1.png,Cover\n",
    // Archivematica's manual's layout (objects link their events), plus a checksum, a size, a format and a licence.
    "metadata/premis.xml": premisXml({
      objects: [
        {
          id: "obj-1",
          originalName: "objects/letters/minutes.txt",
          md5: md5(MINUTES),
          size: Buffer.byteLength(MINUTES),
          formatName: "Typescript transcription",
          events: ["ev-1"],
        },
      ],
      events: [
        {
          id: "ev-1",
          type: "transcription",
          dateTime: "1999-05-04T10:00:00Z",
          detail: "Typed from the handwritten minute book",
          outcome: "Positive",
          agent: "agent-ada",
        },
      ],
      agents: [{ id: "agent-ada", name: "Ada Secretary", type: "person" }],
      rights: [{ id: "r-minutes", objects: ["obj-1"], licenseTerms: "Society members only", act: "use" }],
    }),
    // Normalize for preservation (mapped) and Examine contents (no equivalent: named, not applied).
    "processingMCP.xml": `<processingMCP>
  <preconfiguredChoices>
    <!-- Normalize -->
    <preconfiguredChoice>
      <appliesTo>cb8e5706-e73f-472f-ad9b-d1236af8095f</appliesTo>
      <goToChain>612e3609-ce9a-4df6-a9a3-63d634d2d934</goToChain>
    </preconfiguredChoice>
    <!-- Examine contents -->
    <preconfiguredChoice>
      <appliesTo>accea2bf-ba74-4a3a-bb97-614775c74459</appliesTo>
      <goToChain>e0a39199-c62a-4a2f-98de-e9d1116460a8</goToChain>
    </preconfiguredChoice>
  </preconfiguredChoices>
</processingMCP>
`,
    "metadata/mets_structmap.xml": structMap,
    // md5deep -rl run in objects/: paths relative to objects/.
    "metadata/checksum.md5": Object.entries(objects)
      .map(([rel, body]) => `${md5(body)}  ${rel.slice("objects/".length)}\n`)
      .join(""),
  });
  return objects;
}

describe("an Archivematica standard transfer with every metadata file", () => {
  it("becomes an AIP whose METS carries DC, DCMI Terms, OTHER, rights, identifiers, labels and the custom structMap", async () => {
    const source = path.join(root, "standard");
    const objects = await standardTransfer(source);
    const result = await run(source, "standard");
    expect(result.code, `${result.stderr}\n${JSON.stringify(result.json)}`).toBe(0);
    const aip = String(result.json!.aip);
    const originals = Object.keys(objects).map((rel) => rel.slice("objects/".length));
    const xml = await expectValidAip(aip, path.join(source, "objects"), originals);

    // metadata.csv: simple DC and DCMI Terms in the DC dmdSec, the local column in an OTHER dmdSec.
    expect(elementsOf(xml, "title").map((e) => e.text)).toEqual(
      expect.arrayContaining(["Society papers", "Minutes 1923", "Second page"]),
    );
    expect(elementsOf(xml, "provenance").map((e) => e.text)).toEqual(["Given by the secretary"]);
    expect(elementsOf(xml, "isPartOf").map((e) => e.text)).toEqual(["Leeds collections"]);
    expect(elementsOf(xml, "subject").map((e) => e.text)).toEqual([
      "meetings",
      "minutes",
      "printing",
      "reports",
    ]);
    expect(elementsOf(xml, "Box_number").map((e) => e.text)).toEqual(["12"]);
    expect(
      elementsOf(xml, "mdWrap").some((e) => e.attrs.MDTYPE === "OTHER" && e.attrs.OTHERMDTYPE === "CUSTOM"),
    ).toBe(true);

    // rights.csv: the package's copyright statement on every original, the licence on page 1.
    const statements = elementsOf(xml, "rightsStatement");
    expect(elementsOf(xml, "copyrightStatus").map((e) => e.text)).toEqual([
      "copyrighted",
      "copyrighted",
      "copyrighted",
    ]);
    // premis.xml's licence statement joins rights.csv's, on the file its object names.
    expect(elementsOf(xml, "licenseTerms").map((e) => e.text)).toEqual(["CC BY 4.0", "Society members only"]);
    expect(statements).toHaveLength(5);
    expect(
      elementsOf(xml, "act")
        .map((e) => e.text)
        .sort(),
    ).toEqual(["disseminate", "disseminate", "disseminate", "publish", "use"]);

    // identifiers.json: the package, the folder and the file.
    const identifierValues = elementsOf(xml, "objectIdentifierValue").map((e) => e.text);
    expect(identifierValues).toEqual(
      expect.arrayContaining(["ACC-1923-07", "ark:/99999/images", "10.9999/minutes"]),
    );

    // file_labels.csv and mets_structmap.xml.
    const divs = elementsOf(xml, "div");
    expect(divs.some((d) => d.attrs.LABEL === "Cover" && d.attrs.TYPE === "Item")).toBe(true);
    const structMaps = elementsOf(xml, "structMap");
    expect(structMaps.map((s) => s.attrs.TYPE)).toEqual(["physical", "logical"]);
    expect(divs.filter((d) => d.attrs.TYPE === "page").map((d) => d.attrs.LABEL)).toEqual([
      "Page 1",
      "Page 2",
    ]);
    const contentIds = elementsOf(xml, "fptr")
      .map((f) => f.attrs.CONTENTIDS)
      .filter(Boolean);
    expect(contentIds).toEqual(["objects/images/page-1.png", "objects/images/page-2.png"]);

    // premis.xml: the depositor's event and agent, on the file they describe.
    const transcription = elementsOf(xml, "eventType").filter((e) => e.text === "transcription");
    expect(transcription).toHaveLength(1);
    expect(elementsOf(xml, "eventDetail").map((e) => e.text)).toContain(
      "Typed from the handwritten minute book",
    );
    expect(elementsOf(xml, "agentName").map((e) => e.text)).toContain("Ada Secretary");
    expect(xml).toContain("1999-05-04T10:00:00.000Z");
    // Its checksum and size were verified against the file (a "fixity check" event naming the source),
    // and the depositor's md5 and format sit in the file's techMD, labelled with where the AIP keeps premis.xml.
    const premisCheck = elementsOf(xml, "eventDetail").filter((e) =>
      e.text.includes('source="metadata/premis.xml"'),
    );
    expect(premisCheck.map((e) => e.text)).toEqual([
      'program="stepmatica"; algorithm="size, md5"; source="metadata/premis.xml"',
    ]);
    expect(elementsOf(xml, "messageDigestOriginator").map((e) => e.text)).toEqual([
      "depositor (objects/metadata/premis.xml)",
    ]);
    expect(elementsOf(xml, "messageDigest").map((e) => e.text)).toContain(md5(MINUTES));
    expect(elementsOf(xml, "formatName").map((e) => e.text)).toContain("Typescript transcription");
    expect(elementsOf(xml, "formatNote").map((e) => e.text)).toEqual([
      "As recorded by the depositor in objects/metadata/premis.xml; not an identification by stepmatica",
    ]);

    // processingMCP.xml: "Normalize for preservation" applied (the PNGs have TIFF copies), the rest named.
    expect(result.stderr).toContain("processingMCP.xml: applied normalize=preservation");
    expect(result.stderr).toContain(
      "processingMCP.xml: not applied: Examine contents: no stepmatica decision point",
    );
    expect(elementsOf(xml, "fileGrp").map((g) => g.attrs.USE)).toContain("preservation");

    // checksum.md5 relative to objects/: every file got a fixity check against it.
    const fixity = elementsOf(xml, "eventDetail").filter((e) =>
      e.text.includes('source="metadata/checksum.md5"'),
    );
    expect(fixity).toHaveLength(3);
  });

  it("refuses a premis.xml whose checksum does not match the file, or that names a file not in the transfer", async () => {
    const source = path.join(root, "bad-premis");
    await standardTransfer(source);
    const premis = path.join(source, "metadata", "premis.xml");
    const xml = await readFile(premis, "utf8");
    await writeFile(premis, xml.replace(md5(MINUTES), md5("altered")));
    const altered = await run(source, "bad-premis");
    expect(altered.code).toBe(1);
    expect(String(altered.json!.reason)).toContain(
      `objects/letters/minutes.txt: md5 in metadata/premis.xml line 3 is ${md5("altered")}, the file's is ${md5(MINUTES)}`,
    );
    await writeFile(premis, xml.replace("objects/letters/minutes.txt", "objects/letters/agenda.txt"));
    const unknown = await run(source, "bad-premis-name");
    expect(unknown.code).toBe(1);
    expect(String(unknown.json!.reason)).toContain(
      'metadata/premis.xml line 3: "objects/letters/agenda.txt" is not a file or folder of the transfer',
    );
  });

  it("refuses a custom structMap that names a file not in the transfer, naming both", async () => {
    const source = path.join(root, "bad-structmap");
    await standardTransfer(source);
    const xml = await readFile(path.join(source, "metadata", "mets_structmap.xml"), "utf8");
    await writeFile(
      path.join(source, "metadata", "mets_structmap.xml"),
      xml.replace("page-2.png", "page-3.png"),
    );
    const result = await run(source, "bad-structmap");
    expect(result.code).toBe(1);
    expect(result.json).toMatchObject({ aip: null });
    expect(String(result.json!.reason)).toMatch(
      /metadata\/mets_structmap\.xml line \d+: "objects\/images\/page-3\.png" is not a file or folder of the transfer/,
    );
  });
});

it("an empty <preconfiguredChoices/> asks at every decision point (run refuses: only the dashboard can ask)", async () => {
  const source = path.join(root, "ask-everything");
  await put(source, {
    "objects/a.txt": "a\n",
    "processingMCP.xml": "<processingMCP><preconfiguredChoices/></processingMCP>\n",
  });
  const result = await run(source, "ask-everything");
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("every decision left to an operator");
  expect(result.stderr).toMatch(
    /extract_packages, scan_for_viruses, normalize, aip_compression, dip: "ask" waits/,
  );
});

describe("manually normalized copies (objects/manualNormalization/)", () => {
  it("become the originals' preservation and access copies, with a normalization event and the derivation", async () => {
    const source = path.join(root, "manual");
    const png = await pngBytes(16, 12, 3);
    await put(source, {
      "objects/images/page-1.png": png,
      "objects/images/page-2.png": await pngBytes(16, 12, 4),
      "objects/letters/minutes.txt": "Minutes\n",
      "objects/manualNormalization/preservation/images/page-1.tif": await sharp(png).tiff().toBuffer(),
      "objects/manualNormalization/access/letters/minutes.pdf": pdfBytes("Minutes"),
    });
    const result = await run(source, "manual", "--set", "normalize=preservation", "--set", "dip=true");
    expect(result.code, `${result.stderr}\n${JSON.stringify(result.json)}`).toBe(0);
    const aip = String(result.json!.aip);
    const xml = await expectValidAip(aip, path.join(source, "objects"), [
      "images/page-1.png",
      "letters/minutes.txt",
    ]);
    const groups = elementsOf(xml, "fileGrp");
    expect(groups.map((g) => g.attrs.USE)).toContain("preservation");
    const hrefs = elementsOf(xml, "FLocat").map((f) => f.attrs.href);
    // The supplied TIFF is page 1's preservation copy: no automatic one for page 1, one for page 2.
    expect(hrefs).toContain("objects/manualNormalization/preservation/images/page-1.tif");
    expect(hrefs.filter((h) => h?.startsWith("objects/images/page-1-"))).toEqual([]);
    expect(hrefs.filter((h) => h?.startsWith("objects/images/page-2-"))).toHaveLength(1);
    // The access copy left the AIP (it went to the DIP).
    expect(hrefs.some((h) => h?.includes("minutes.pdf"))).toBe(false);
    const manualEvents = elementsOf(xml, "eventDetail").filter((e) => e.text.startsWith('program="manual"'));
    const purposes = manualEvents.map((e) => /purpose="(\w+)"/.exec(e.text)?.[1]).sort();
    expect(purposes).toEqual(["access", "preservation"]);
    expect(elementsOf(xml, "relationshipSubType").map((e) => e.text)).toEqual(
      expect.arrayContaining(["has source", "is source of"]),
    );
  });

  it("a copy that matches no original rejects the SIP, naming it", async () => {
    const source = path.join(root, "manual-unmatched");
    await put(source, {
      "objects/images/page-1.png": await pngBytes(16, 12, 5),
      "objects/manualNormalization/preservation/images/page-9.tif": "not really a tiff",
    });
    const result = await run(source, "manual-unmatched");
    expect(result.code).toBe(1);
    expect(String(result.json!.reason)).toMatch(
      /objects\/manualNormalization\/preservation\/images\/page-9\.tif: no original named objects\/images\/page-9\.\* to be its preservation copy/,
    );
  });
});

describe("bags as old tools made them", () => {
  it("a 0.95 bag (package-info.txt with blank lines, UTF-16 sha384 manifest) becomes an AIP; warnings are in the event", async () => {
    const source = path.join(root, "old-bag");
    const payload = { "data/letters/minutes.txt": "Minutes\n", "data/notes.txt": "Notes\n" };
    const sha384 = (body: string) => createHash("sha384").update(body).digest("hex");
    const manifest = Object.entries(payload)
      .map(([rel, body]) => `${sha384(body)} *${rel}\r\n`)
      .join("");
    const octets = Object.values(payload).reduce((n, b) => n + Buffer.byteLength(b), 0);
    await put(source, {
      ...payload,
      "bagit.txt": "BagIt-Version: 0.95\nTag-File-Character-Encoding: UTF-16\n",
      "manifest-sha384.txt": Buffer.from(`\uFEFF${manifest}`, "utf16le"),
      "package-info.txt": Buffer.from(
        `\uFEFFSource-Organization: Example Society\r\n\r\nExternal-Identifier: SOC/1923\r\nPayload-Oxum: ${octets}.2\r\n`,
        "utf16le",
      ),
    });
    const validated = await stepmatica(["validate-bag", source], env);
    expect(validated.code, validated.stderr).toBe(0);
    const result = await run(source, "old-bag");
    expect(result.code, `${result.stderr}\n${JSON.stringify(result.json)}`).toBe(0);
    const aip = String(result.json!.aip);
    const xml = await expectValidAip(aip, path.join(source, "data"), ["letters/minutes.txt", "notes.txt"]);
    const bagEvent = elementsOf(xml, "eventOutcomeDetailNote").find((e) =>
      e.text.startsWith("valid BagIt 0.95 bag"),
    );
    expect(bagEvent?.text).toMatch(
      /warning\(s\): package-info\.txt:2: blank line ignored \(bag-info-syntax\)/,
    );
    expect(xml).toContain("SOC/1923");
  });

  it("a bag with an altered payload file is refused, naming the file and the rule", async () => {
    const source = path.join(root, "altered-bag");
    const body = "Minutes\n";
    await put(source, {
      "data/minutes.txt": "Minutes!\n",
      "bagit.txt": "BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n",
      "manifest-md5.txt": `${md5(body)}  data/minutes.txt\n`,
    });
    const validated = await stepmatica(["validate-bag", source], env);
    expect(validated.code).toBe(1);
    expect(validated.stderr).toMatch(/^data\/minutes\.txt: checksum-mismatch: md5 in manifest-md5\.txt/m);
    const result = await run(source, "altered-bag");
    expect(result.code).toBe(1);
    expect(String(result.json!.reason)).toMatch(/data\/minutes\.txt: md5 in manifest-md5\.txt is/);
  });
});
