import { describe, expect, it } from "vitest";
import { buildMets } from "../../../functions/mets/index.ts";
import { parseMetsSummary } from "../../../functions/mets/summary.ts";
import { pathOfUriReference, uriReferenceOf } from "../../../functions/mets/uri.ts";
import { validateMetsXml } from "../../helpers/xsd.ts";
import { fileRecord, sampleInput } from "./sample-aip.ts";

/** File names hold any character a file system allows; each href must still be a valid URI reference. */
const AWKWARD_PATHS = [
  "objects/50% draft.txt",
  "objects/%41 stays percent-4-1.txt",
  "objects/#1 notes.txt",
  "objects/what?.txt",
  "objects/[list]_reply.rtf",
  "objects/Übersicht café 東京 😀.txt",
  "objects/bell\u0001.txt",
  "objects/tab\there.txt",
  "objects/new\nline.txt",
  "objects/a:b@c!$&'()*+,;=~.txt",
  "objects/dir with space/100%#?.txt",
  'objects/quote" back\\slash <angle> {brace} |pipe| `tick` ^caret.txt',
];

// RFC 3986 relative-part as a path of segments: pchar = unreserved / pct-encoded / sub-delims / ":" / "@".
const PCHAR = "(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@]|%[0-9A-F]{2})";
const RELATIVE_PATH = new RegExp(`^(?:[A-Za-z0-9\\-._~!$&'()*+,;=@]|%[0-9A-F]{2})+(?:/${PCHAR}*)*$`);

describe("METS hrefs", () => {
  it("percent-encode what a path segment cannot carry, as UTF-8 bytes, and decode back to the path", () => {
    expect(uriReferenceOf("objects/50% draft.txt")).toBe("objects/50%25%20draft.txt");
    expect(uriReferenceOf("objects/[list]_reply.rtf")).toBe("objects/%5Blist%5D_reply.rtf");
    expect(uriReferenceOf("objects/#1?.txt")).toBe("objects/%231%3F.txt");
    expect(uriReferenceOf("objects/é\u0001\t.txt")).toBe("objects/%C3%A9%01%09.txt");
    expect(uriReferenceOf("a:b/c:d")).toBe("a%3Ab/c:d"); // never a scheme
    for (const path of AWKWARD_PATHS) {
      const href = uriReferenceOf(path);
      expect(href, path).toMatch(RELATIVE_PATH);
      expect(pathOfUriReference(href)).toBe(path);
    }
  });

  it("make a METS for awkward names that validates against METS 1.12.1 + PREMIS 3.0", async () => {
    const input = sampleInput();
    const files = AWKWARD_PATHS.map((path, i) => {
      const id = `aaaaaaaa-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
      return { file: fileRecord({ id, path }), href: path };
    });
    const xml = buildMets({ ...input, files: [...input.files, ...files] });
    const result = await validateMetsXml(xml);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    const hrefs = parseMetsSummary(xml).files.map((f) => f.href);
    for (const path of AWKWARD_PATHS) expect(hrefs).toContain(uriReferenceOf(path));
    for (const href of hrefs) expect(href).toMatch(RELATIVE_PATH);
  });
});
