import { type BuiltinFormat, bof, eof } from "./shape.ts";

const MARKUP_OVER = ["fmt/96", "fmt/471", "fmt/101"];

export const ARCHIVES_AND_TEXT: BuiltinFormat[] = [
  {
    puid: "x-fmt/263",
    name: "ZIP Format",
    mime: "application/zip",
    extensions: ["zip"],
    signatures: [[bof("'PK'0304", 0, 4), eof("'PK'01{43-65531}'PK'0506", 18, 65531)], [bof("'PK'05060000")]],
  },
  {
    puid: "x-fmt/412",
    name: "Java Archive Format",
    mime: "application/java-archive",
    extensions: ["jar"],
    signatures: [[bof("'PK'0304", 0, 0, "'META-INF/MANIFEST.MF'"), eof("'PK'0506", 18, 65549)]],
    priorityOver: ["x-fmt/263"],
  },
  {
    puid: "x-fmt/266",
    name: "GZIP Format",
    mime: "application/gzip",
    extensions: ["gz", "tgz", "z"],
    signatures: [[bof("1F8B08")]],
  },
  {
    // POSIX ustar and GNU tar headers carry "ustar" at offset 257 (pre-POSIX v7 tar is not detected).
    puid: "x-fmt/265",
    name: "Tape Archive Format",
    mime: "application/x-tar",
    extensions: ["tar"],
    signatures: [[bof("'ustar'(00|20)", 257)]],
  },
  {
    puid: "fmt/484",
    name: "7Zip format",
    extensions: ["7z"],
    signatures: [[bof("377ABCAF271C")]],
  },
  {
    puid: "x-fmt/268",
    name: "BZIP2 Compressed Archive",
    mime: "application/x-bzip2",
    extensions: ["bz2"],
    signatures: [[bof("'BZh'{1}314159265359")]],
  },
  {
    puid: "fmt/1098",
    name: "XZ File Format",
    extensions: ["xz"],
    signatures: [[bof("FD377A585A00"), eof("595A")]],
  },
  {
    puid: "x-fmt/264",
    name: "RAR Archive",
    version: "2.0",
    mime: "application/vnd.rar",
    extensions: ["rar"],
    signatures: [[bof("526172211A0700{2}73{34}14")]],
  },
  {
    puid: "fmt/411",
    name: "RAR Archive",
    version: "2.9",
    mime: "application/vnd.rar",
    extensions: ["rar"],
    signatures: [[bof("526172211A0700{2}73{34}1D")]],
  },
  {
    puid: "fmt/613",
    name: "RAR Archive",
    version: "5.0",
    mime: "application/vnd.rar",
    extensions: ["rar"],
    signatures: [[bof("526172211A070100")]],
  },
  {
    puid: "fmt/468",
    name: "ISO 9660 Disk Image File",
    extensions: ["iso"],
    signatures: [[bof("'CD001'{1-16384}FF'CD001'", 32700, 70400)]],
  },
  {
    puid: "fmt/101",
    name: "Extensible Markup Language",
    version: "1.0",
    mime: "application/xml, text/xml",
    extensions: ["xml"],
    signatures: [[bof("'<?xml version='(22|27)'1.0'(22|27)", 0, 3)]],
  },
  {
    puid: "fmt/96",
    name: "Hypertext Markup Language",
    mime: "text/html",
    extensions: ["html", "htm"],
    signatures: [[bof("3C('HTML'|'html')", 0, 1024), eof("'</'('BODY'|'HTML'|'body'|'html')'>'", 0, 1024)]],
  },
  {
    puid: "fmt/471",
    name: "Hypertext Markup Language",
    version: "5",
    mime: "text/html",
    extensions: ["html", "htm"],
    signatures: [[bof("'<!'('DOCTYPE'|'doctype')({0-4}'HTML'|{0-4}'html')'>'", 0, 1024)]],
    priorityOver: ["fmt/96"],
  },
  {
    puid: "fmt/289",
    name: "WARC",
    mime: "application/warc",
    extensions: ["warc"],
    signatures: [
      [
        bof(
          "'WARC/'({0-517}'Content-Length'|{0-517}'WARC-Date'|{0-517}'WARC-Record-ID'|{0-517}'WARC-Type')",
          0,
          4096,
        ),
      ],
    ],
    priorityOver: MARKUP_OVER,
  },
  // Text formats without a byte signature in PRONOM: found by extension when nothing else matches.
  { puid: "x-fmt/111", name: "Plain Text File", mime: "text/plain", extensions: ["txt"], signatures: [] },
  { puid: "x-fmt/18", name: "Comma Separated Values", mime: "text/csv", extensions: ["csv"], signatures: [] },
  {
    puid: "fmt/817",
    name: "JSON Data Interchange Format",
    mime: "application/json",
    extensions: ["json"],
    signatures: [],
  },
  {
    puid: "fmt/1149",
    name: "Markdown",
    mime: "text/markdown",
    extensions: ["md", "markdown"],
    signatures: [],
  },
];
