import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Recipe, run } from "./make.ts";
import type { OfficeRecipe } from "./office.ts";

const PAGE = `%!PS
/Helvetica findfont 14 scalefont setfont
72 720 moveto (stepmatica identification corpus) show
72 700 moveto (A page written by Ghostscript.) show
newpath 72 600 moveto 300 600 lineto 300 680 lineto closepath stroke
showpage
`;

function ghostscript(name: string, args: string[]): (dir: string) => Promise<void> {
  return async (dir) => {
    const source = join(dir, `${name}.source.ps`);
    await writeFile(source, PAGE);
    await run(
      "gs",
      ["-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", ...args, `-sOutputFile=${join(dir, name)}`, source],
      dir,
    );
  };
}

const pdf = (version: string, expected: string): Recipe => ({
  name: `page-${version}.pdf`,
  tool: `gs -sDEVICE=pdfwrite -dCompatibilityLevel=${version}`,
  expected,
  why: `V119 ${expected} 'Acrobat PDF ${version} - Portable Document Format': header '%PDF-${version}' at BOF and '%%EOF' near EOF`,
  make: ghostscript(`page-${version}.pdf`, ["-sDEVICE=pdfwrite", `-dCompatibilityLevel=${version}`]),
});

const PDFA = ["-sDEVICE=pdfwrite", "-dPDFACompatibilityPolicy=1", "-sColorConversionStrategy=RGB"];

/** Ghostscript's pdfwrite, ps2write and eps2write devices. */
export const GHOSTSCRIPT: Recipe[] = [
  pdf("1.4", "fmt/18"),
  pdf("1.5", "fmt/19"),
  pdf("1.6", "fmt/20"),
  pdf("1.7", "fmt/276"),
  {
    name: "page-pdfa1b.pdf",
    tool: "gs -dPDFA=1 (PDF/A-1b)",
    expected: "fmt/354",
    why: "V119 fmt/354 'Acrobat PDF/A 1b': '%PDF-1.' at BOF plus XMP with the pdfaid namespace, pdfaid:part 1 and conformance B; it has priority over the plain PDF versions",
    make: ghostscript("page-pdfa1b.pdf", ["-dPDFA=1", ...PDFA]),
  },
  {
    name: "page-pdfa2b.pdf",
    tool: "gs -dPDFA=2 (PDF/A-2b)",
    expected: "fmt/477",
    why: "V119 fmt/477 'Acrobat PDF/A 2b': as fmt/354 with pdfaid:part 2, conformance B",
    make: ghostscript("page-pdfa2b.pdf", ["-dPDFA=2", ...PDFA]),
  },
  {
    name: "page.ps",
    tool: "gs -sDEVICE=ps2write",
    expected: "x-fmt/408",
    why: "V119 x-fmt/408 'PostScript 3.0': '%!PS-Adobe-3.0' at BOF (ps2write's DSC header), without the ' EPSF-3.0' that makes EPS",
    make: ghostscript("page.ps", ["-sDEVICE=ps2write"]),
  },
  {
    name: "page.eps",
    tool: "gs -sDEVICE=eps2write",
    expected: "fmt/124",
    why: "V119 fmt/124 'Encapsulated PostScript File Format 3': '%!PS-Adobe-3.0 EPSF-3.0' and a line end at BOF; it has priority over x-fmt/408",
    make: ghostscript("page.eps", ["-sDEVICE=eps2write"]),
  },
];

/** Flat ODF sources (one XML file each), which LibreOffice opens in Writer and Impress. */
const FLAT_ODF = (cls: string, body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.${cls}">
<office:body>${body}</office:body></office:document>
`;
const TEXT = FLAT_ODF(
  "text",
  "<office:text><text:h>Minutes</text:h><text:p>The society met on 3 May 1921.</text:p></office:text>",
);
const SLIDES = FLAT_ODF(
  "presentation",
  '<office:presentation><draw:page draw:name="one"><draw:frame svg:x="2cm" svg:y="2cm" svg:width="10cm" svg:height="3cm"><draw:text-box><text:p>Minutes</text:p></draw:text-box></draw:frame></draw:page></office:presentation>',
);
const TABLE = "year,members\n1921,40\n1922,52\n";

const lo = (
  name: string,
  source: string,
  content: string,
  filter: string,
  expected: string,
  why: string,
): OfficeRecipe => ({
  name,
  tool: `soffice --headless, ${source} stored with export filter "${filter}" (what --convert-to ${name.split(".").pop()}:"${filter}" uses)`,
  expected,
  why,
  source,
  content,
  filter,
});

/** LibreOffice 7.4 (Debian 12) headless conversions, all made by one soffice process (office.ts). */
export const LIBREOFFICE: OfficeRecipe[] = [
  lo(
    "minutes.docx",
    "minutes.fodt",
    TEXT,
    "MS Word 2007 XML",
    "fmt/412",
    "container signature 'Microsoft Word 2007 onwards' → V119 fmt/412 'Microsoft Word for Windows 2007 onwards': a ZIP with [Content_Types].xml and word/document.xml",
  ),
  lo(
    "members.xlsx",
    "members.csv",
    TABLE,
    "Calc MS Excel 2007 XML",
    "fmt/214",
    "container signature → V119 fmt/214 'Microsoft Excel for Windows 2007 onwards': a ZIP with [Content_Types].xml and xl/workbook.xml",
  ),
  lo(
    "slides.pptx",
    "slides.fodp",
    SLIDES,
    "Impress MS PowerPoint 2007 XML",
    "fmt/215",
    "container signature → V119 fmt/215 'Microsoft Powerpoint for Windows 2007 onwards': a ZIP with [Content_Types].xml and ppt/presentation.xml",
  ),
  lo(
    "minutes.odt",
    "minutes.fodt",
    TEXT,
    "writer8",
    "fmt/1756",
    "container signature → V119 fmt/1756 'OpenDocument Text 1.3': LibreOffice 7.4 writes office:version=\"1.3\" (ODF 1.3 extended) in content.xml / meta.xml, with mimetype application/vnd.oasis.opendocument.text",
  ),
  lo(
    "members.ods",
    "members.csv",
    TABLE,
    "calc8",
    "fmt/1755",
    "container signature → V119 fmt/1755 'OpenDocument Spreadsheet 1.3' (office:version=\"1.3\", mimetype …opendocument.spreadsheet)",
  ),
  lo(
    "slides.odp",
    "slides.fodp",
    SLIDES,
    "impress8",
    "fmt/1754",
    "container signature → V119 fmt/1754 'OpenDocument Presentation 1.3' (office:version=\"1.3\", mimetype …opendocument.presentation)",
  ),
  lo(
    "minutes.rtf",
    "minutes.fodt",
    TEXT,
    "Rich Text Format",
    "fmt/45",
    "V119 fmt/45 'Rich Text Format 1.0-1.4': '{\\rtf1\\ansi' at BOF. LibreOffice writes '{\\rtf1\\ansi\\deff…' without '\\ansicpg', and every later RTF version's signature (fmt/50 1.5 to fmt/355 1.9) requires '\\ansicpg' right after the character set",
  ),
  lo(
    "minutes.doc",
    "minutes.fodt",
    TEXT,
    "MS Word 97",
    "fmt/40",
    "OLE2 container signature 'Microsoft Word 97-2003' → V119 fmt/40 'Microsoft Word Document 97-2003': a WordDocument stream and CompObj naming Word.Document.8",
  ),
  lo(
    "minutes.dot",
    "minutes.fodt",
    TEXT,
    "MS Word 97 Vorlage",
    "x-fmt/45",
    "OLE2 container signature 1100 'Microsoft Word 97 OLE2 Template' → V119 x-fmt/45 'Microsoft Word Document Template 97-2003': as for .doc, plus the FIB's fDot flag, byte 10 of the WordDocument stream matching the mask [&01]",
  ),
  lo(
    "members.xls",
    "members.csv",
    TABLE,
    "MS Excel 97",
    "fmt/61",
    "OLE2 container signature → V119 fmt/61 'Microsoft Excel 97 Workbook (xls) 8': a Workbook stream (BIFF8)",
  ),
];
