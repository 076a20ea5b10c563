import type { ContainerFileDef, ContainerSignatureDef, ContainerSignatureSet } from "../types.ts";
import { anywhere, bof } from "./shape.ts";

let nextId = 1;
function container(
  puid: string,
  containerType: "OLE2" | "ZIP",
  description: string,
  files: ContainerFileDef[],
): ContainerSignatureDef {
  return { id: nextId++, containerType, description, files, puids: [puid] };
}

/** A file inside the container whose content must match the given sequences (all of them). */
const file = (path: string, ...sequences: ReturnType<typeof bof>[]): ContainerFileDef => ({
  path,
  signatures: sequences.length === 0 ? [] : [{ id: 0, sequences }],
});

const contentType = (type: string) => file("[Content_Types].xml", anywhere(`'ContentType="${type}"'`));
const odf = (puid: string, kind: string, version: string | null) =>
  container(puid, "ZIP", `OpenDocument ${kind} ${version ?? "1.1"}`, [
    file(
      "META-INF/manifest.xml",
      bof(`'manifest:media-type="application/vnd.oasis.opendocument.${kind}'`, 0, 1024),
    ),
    version === null
      ? file("content.xml", bof("'office:document-content'", 0, 128))
      : file(
          "content.xml",
          bof("'office:document-content'", 0, 128, `'office:version='(22|27)'${version}'(22|27)`),
        ),
  ]);

const OOXML = "application/vnd.openxmlformats-officedocument";

export const CONTAINERS: ContainerSignatureDef[] = [
  container("fmt/40", "OLE2", "Microsoft Word 97 OLE2", [
    file("WordDocument"),
    file("CompObj", bof("10000000'Word.Document.8'00", 40, 1024)),
  ]),
  container("fmt/61", "OLE2", "Microsoft Excel 97 OLE2", [file("Workbook", bof("0908{2}00060500"))]),
  container("fmt/126", "OLE2", "Microsoft PowerPoint 97 OLE2", [file("PowerPoint Document")]),
  container("fmt/412", "ZIP", "Microsoft Word OOXML", [
    contentType(`${OOXML}.wordprocessingml.document.main+xml`),
  ]),
  container("fmt/523", "ZIP", "Microsoft Word macro-enabled OOXML", [
    contentType("application/vnd.ms-word.document.macroEnabled.main+xml"),
  ]),
  container("fmt/214", "ZIP", "Microsoft Excel OOXML", [
    contentType(`${OOXML}.spreadsheetml.sheet.main+xml`),
  ]),
  container("fmt/215", "ZIP", "Microsoft PowerPoint OOXML", [
    contentType(`${OOXML}.presentationml.presentation.main+xml`),
  ]),
  odf("fmt/136", "text", "1.0"),
  odf("fmt/290", "text", null),
  odf("fmt/291", "text", "1.2"),
  odf("fmt/1756", "text", "1.3"),
  odf("fmt/137", "spreadsheet", "1.0"),
  odf("fmt/294", "spreadsheet", null),
  odf("fmt/295", "spreadsheet", "1.2"),
  odf("fmt/1755", "spreadsheet", "1.3"),
  odf("fmt/138", "presentation", "1.0"),
  odf("fmt/292", "presentation", null),
  odf("fmt/293", "presentation", "1.2"),
  odf("fmt/1754", "presentation", "1.3"),
  container("fmt/483", "ZIP", "EPUB", [file("mimetype", bof("'application/epub+zip'", 0, 1024))]),
];

export const BUILTIN_CONTAINERS: ContainerSignatureSet = {
  source: "builtin-containers",
  version: "1",
  signatures: CONTAINERS,
  triggers: [
    { containerType: "OLE2", puid: "fmt/111" },
    { containerType: "ZIP", puid: "x-fmt/263" },
    { containerType: "ZIP", puid: "fmt/189" },
    { containerType: "ZIP", puid: "fmt/483" },
  ],
};
