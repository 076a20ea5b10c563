/** Rights, identifiers, labels and a custom structMap in the METS, valid against METS 1.12.1 + PREMIS 3. */
import { describe, expect, it } from "vitest";
import { buildMets, MetsInputError } from "../../../functions/mets/index.ts";
import { validateMetsXml } from "../../helpers/xsd.ts";
import { sampleArchival as archival, sampleInput } from "./sample-aip.ts";

describe("archival metadata in the METS", () => {
  it("writes rightsMD, identifiers, labels and a logical structMap that validate", async () => {
    const xml = buildMets({ ...sampleInput(), archival: archival() });
    const validation = await validateMetsXml(xml);
    expect(validation.errors).toEqual([]);
    expect(xml.match(/<mets:rightsMD /g)?.length).toBe(
      // the package's copyright row on both originals; the licence, statute and donor rows on the image; policy on the text
      2 + 3 + 1,
    );
    expect(xml).toContain("<premis:copyrightStatus>copyrighted</premis:copyrightStatus>");
    expect(xml).toContain("<premis:otherRightsBasis>Donor</premis:otherRightsBasis>");
    expect(xml).toContain("<premis:endDate>OPEN</premis:endDate>");
    expect(xml).toMatch(
      /<premis:objectIdentifierType>DOI<\/premis:objectIdentifierType>\s*<premis:objectIdentifierValue>10\.1234\/tom/,
    );
    expect(xml).toContain("<premis:objectIdentifierValue>ACC-2020-01</premis:objectIdentifierValue>");
    expect(xml).toMatch(/<mets:div LABEL="photos" TYPE="Directory" DMDID="dmdSec_\d+">/);
    expect(xml).toContain("ark:/12345/photos");
    expect(xml).toContain('LABEL="Cartoon still" TYPE="Item"');
    expect(xml).toMatch(/<mets:structMap ID="structMap_2" LABEL="Hierarchical" TYPE="logical">/);
    expect(xml).toMatch(
      /<mets:fptr FILEID="file-[^"]+" CONTENTIDS="objects\/photos\/Tom &amp; Jerry &lt;1&gt;\.jpg"\/>/,
    );
  });

  it("refuses references to paths that are not in the package, naming them", () => {
    const input = sampleInput();
    const missingFile = archival();
    missingFile.logicalStructMap!.divs[0]!.children[0]!.files = ["objects/page-2.jp2"];
    expect(() => buildMets({ ...input, archival: missingFile })).toThrow(
      /div "Album\/Page 1" points to objects\/page-2\.jp2, which is not in the package/,
    );
    expect(() =>
      buildMets({ ...input, archival: { rights: [{ ...archival().rights![1]!, target: "objects/nope" }] } }),
    ).toThrow(MetsInputError);
  });
});
