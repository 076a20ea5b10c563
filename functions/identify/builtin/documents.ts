import { anywhere, type BuiltinFormat, bof, eof } from "./shape.ts";

const PDF_EOF = eof("'%%EOF'", 0, 1024);
const pdf = (puid: string, version: string, header: string, min = 0, max = min): BuiltinFormat => ({
  puid,
  name:
    version === "2.0"
      ? "PDF 2.0 - Portable Document Format"
      : `Acrobat PDF ${version} - Portable Document Format`,
  version,
  mime: "application/pdf",
  extensions: ["pdf"],
  signatures: [[bof(`'%PDF-${header}'`, min, max), PDF_EOF]],
});

const PDF_VERSIONS = ["fmt/14", "fmt/15", "fmt/16", "fmt/17", "fmt/18", "fmt/19", "fmt/20", "fmt/276"];
const PDFA_HEAD = bof("'%PDF-1.'[30:37]", 0, 144);
const EQUALS = "(3D22|3D27|3E)";
/** PDF/A is declared in XMP: pdfaid:part and pdfaid:conformance, as attributes or elements, either order. */
const pdfa = (part: string, conformance: string): BuiltinFormat => ({
  puid: "",
  name: "Acrobat PDF/A - Portable Document Format",
  version: `${part}${conformance.toLowerCase()}`,
  mime: "application/pdf",
  extensions: ["pdf"],
  signatures: [
    [
      PDFA_HEAD,
      anywhere(`'pdfaid:part'${EQUALS}'${part}'{0-160}'pdfaid:conformance'${EQUALS}'${conformance}'`),
    ],
    [
      PDFA_HEAD,
      anywhere(`'pdfaid:conformance'${EQUALS}'${conformance}'{0-160}'pdfaid:part'${EQUALS}'${part}'`),
    ],
  ],
  priorityOver: PDF_VERSIONS,
});

const RTF_HEAD = "'{\\rt'(66|6631)5C('ansi'|'mac'|'pc'|'pca')";

export const DOCUMENTS: BuiltinFormat[] = [
  pdf("fmt/14", "1.0", "1.0"),
  pdf("fmt/15", "1.1", "1.1"),
  pdf("fmt/16", "1.2", "1.2"),
  pdf("fmt/17", "1.3", "1.3"),
  pdf("fmt/18", "1.4", "1.4"),
  pdf("fmt/19", "1.5", "1.5"),
  pdf("fmt/20", "1.6", "1.6"),
  pdf("fmt/276", "1.7", "1.7", 0, 1),
  pdf("fmt/1129", "2.0", "2.0", 0, 4096),
  { ...pdfa("1", "A"), puid: "fmt/95" },
  { ...pdfa("1", "B"), puid: "fmt/354" },
  { ...pdfa("2", "A"), puid: "fmt/476" },
  { ...pdfa("2", "B"), puid: "fmt/477" },
  { ...pdfa("2", "U"), puid: "fmt/478" },
  { ...pdfa("3", "A"), puid: "fmt/479" },
  { ...pdfa("3", "B"), puid: "fmt/480" },
  { ...pdfa("3", "U"), puid: "fmt/481" },
  {
    puid: "fmt/111",
    name: "OLE2 Compound Document Format",
    extensions: [],
    signatures: [[bof("D0CF11E0A1B11AE1{20}FEFF")]],
  },
  // The OLE2 and ZIP office formats are told apart by container signatures (containers.ts).
  {
    puid: "fmt/40",
    name: "Microsoft Word Document",
    version: "97-2003",
    mime: "application/msword",
    extensions: ["doc"],
    signatures: [],
    priorityOver: ["fmt/111"],
  },
  {
    puid: "fmt/61",
    name: "Microsoft Excel 97 Workbook (xls)",
    version: "8",
    mime: "application/vnd.ms-excel",
    extensions: ["xls"],
    signatures: [],
    priorityOver: ["fmt/111"],
  },
  {
    puid: "fmt/126",
    name: "Microsoft Powerpoint Presentation",
    version: "97-2003",
    mime: "application/vnd.ms-powerpoint",
    extensions: ["ppt"],
    signatures: [],
    priorityOver: ["fmt/111"],
  },
  {
    puid: "fmt/189",
    name: "Microsoft Office Open XML",
    version: "2007 onwards",
    extensions: [],
    signatures: [[bof("504B0304{26}'[Content_Types].xml'", 0, 0, "504B0102", "504B0506")]],
    priorityOver: ["x-fmt/263"],
  },
  {
    puid: "fmt/412",
    name: "Microsoft Word for Windows",
    version: "2007 onwards",
    mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    extensions: ["docx"],
    signatures: [],
  },
  {
    puid: "fmt/523",
    name: "Macro enabled Microsoft Word Document OOXML",
    version: "2007 Onwards",
    mime: "application/vnd.ms-word.document.macroEnabled.12",
    extensions: ["docm"],
    signatures: [],
  },
  {
    puid: "fmt/214",
    name: "Microsoft Excel for Windows",
    version: "2007 onwards",
    mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    extensions: ["xlsx"],
    signatures: [],
  },
  {
    puid: "fmt/215",
    name: "Microsoft Powerpoint for Windows",
    version: "2007 onwards",
    mime: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    extensions: ["pptx"],
    signatures: [],
  },
  {
    puid: "fmt/483",
    name: "ePub format",
    mime: "application/epub+zip",
    extensions: ["epub"],
    signatures: [[bof("504B0304{26}'mimetypeapplication/epub+zip'")]],
    priorityOver: ["x-fmt/263", "fmt/96", "fmt/471"],
  },
  {
    puid: "fmt/45",
    name: "Rich Text Format",
    version: "1.0-1.4",
    mime: "application/rtf",
    extensions: ["rtf"],
    signatures: [[bof(RTF_HEAD)]],
  },
  {
    puid: "fmt/50",
    name: "Rich Text Format",
    version: "1.5-1.6",
    mime: "application/rtf",
    extensions: ["rtf"],
    signatures: [[bof("'{\\rt'(66{0-1}|6631{0-1})5C('ansi'|'mac'|'pc'|'pca')'\\ansicpg'")]],
    priorityOver: ["fmt/45"],
  },
  {
    puid: "fmt/52",
    name: "Rich Text Format",
    version: "1.7",
    mime: "application/rtf",
    extensions: ["rtf"],
    signatures: [
      [
        bof(
          `${RTF_HEAD}'\\ansicpg'`,
          0,
          0,
          "'\\stshfdbch'{1-4}'\\stshfloch'{1-4}'\\stshfhich'{1-4}'\\stshfbi'",
        ),
      ],
    ],
    priorityOver: ["fmt/45", "fmt/50"],
  },
  {
    puid: "x-fmt/408",
    name: "PostScript",
    version: "3.0",
    mime: "application/postscript",
    extensions: ["ps"],
    signatures: [[bof("'%!PS-Adobe-3.0'")]],
  },
  {
    puid: "fmt/124",
    name: "Encapsulated PostScript File Format",
    version: "3",
    mime: "application/postscript",
    extensions: ["eps", "epsf"],
    signatures: [[bof("'%!PS-Adobe-3.'(30|31)' EPSF-3.0'(0A|0D)")], [bof("C5D0D3C6")]],
    priorityOver: ["x-fmt/408"],
  },
  {
    puid: "fmt/729",
    name: "SQLite Database File Format",
    version: "3",
    mime: "application/x-sqlite3",
    extensions: ["sqlite", "sqlite3", "db", "db3"],
    signatures: [[bof("'SQLite format 3'00")]],
  },
];
