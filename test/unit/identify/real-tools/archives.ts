import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { sevenZipPath } from "../../../../functions/archives/seven-zip.ts";
import { python, type Recipe, run } from "./make.ts";

const RECORDS = "The society's records, 1921-1960.\n".repeat(40);

/** Writes the text the archivers pack, then runs one in the folder. */
function archiver(name: string, command: () => Promise<[string, string[]]>): (dir: string) => Promise<void> {
  return async (dir) => {
    await writeFile(join(dir, `${name}.records.txt`), RECORDS);
    const [program, args] = await command();
    await run(program, args, dir);
  };
}

const compressor =
  (program: string, name: string): ((dir: string) => Promise<void>) =>
  async (dir) => {
    const source = join(dir, `${name}.records.txt`);
    await writeFile(source, RECORDS);
    // -k keeps the source; the tool names the output itself (source + suffix), which we then rename.
    await run(program, ["-k", "-f", source], dir);
    await rename(`${source}.${name.split(".").pop()}`, join(dir, name));
  };

/** 7-Zip (7zip-bin), GNU tar, gzip, bzip2, xz, Info-ZIP zip. */
export const ARCHIVES: Recipe[] = [
  {
    name: "records.7z",
    tool: "7za a (7zip-bin)",
    expected: "fmt/484",
    why: "V119 fmt/484 '7Zip format': the signature '7z' BC AF 27 1C at BOF",
    make: archiver("records.7z", async () => [
      await sevenZipPath(),
      ["a", "-bd", "records.7z", "records.7z.records.txt"],
    ]),
  },
  {
    name: "records.tar",
    tool: "tar -cf (GNU tar)",
    expected: "x-fmt/265",
    why: "V119 x-fmt/265 'Tape Archive Format': 'ustar' at offset 257",
    make: archiver("records.tar", async () => ["tar", ["-cf", "records.tar", "records.tar.records.txt"]]),
  },
  {
    name: "records.gz",
    tool: "gzip",
    expected: "x-fmt/266",
    why: "V119 x-fmt/266 'GZIP Format': 1F 8B 08 at BOF",
    make: compressor("gzip", "records.gz"),
  },
  {
    name: "records.bz2",
    tool: "bzip2",
    expected: "x-fmt/268",
    why: "V119 x-fmt/268 'BZIP2 Compressed Archive': 'BZh' and a block size digit, then the block magic 31 41 59 26 53 59",
    make: compressor("bzip2", "records.bz2"),
  },
  {
    name: "records.xz",
    tool: "xz",
    expected: "fmt/1098",
    why: "V119 fmt/1098 'XZ File Format': FD '7zXZ' 00 at BOF and 'YZ' at EOF",
    make: compressor("xz", "records.xz"),
  },
  {
    name: "records.zip",
    tool: "zip (Info-ZIP)",
    expected: "x-fmt/263",
    why: "V119 x-fmt/263 'ZIP Format': a local file header 'PK' 03 04 at BOF and the end of central directory 'PK' 05 06 near EOF; no container signature matches a plain text entry",
    make: archiver("records.zip", async () => ["zip", ["-q", "records.zip", "records.zip.records.txt"]]),
  },
];

/** Python 3's standard library writers (and Node's zlib). */
export const PYTHON: Recipe[] = [
  {
    name: "node.gz",
    tool: "node:zlib gzipSync",
    expected: "x-fmt/266",
    why: "V119 x-fmt/266 'GZIP Format': 1F 8B 08 at BOF (RFC 1952 header, deflate)",
    make: (dir) => writeFile(join(dir, "node.gz"), gzipSync(Buffer.from(RECORDS))),
  },
  {
    name: "python.zip",
    tool: "python3 zipfile (ZIP_DEFLATED)",
    expected: "x-fmt/263",
    why: "V119 x-fmt/263 'ZIP Format' (as for Info-ZIP)",
    make: (dir) =>
      python(
        "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n  z.writestr('minutes.txt', 'met on 3 May 1921\\n' * 50)",
        join(dir, "python.zip"),
        dir,
      ),
  },
  {
    name: "members.sqlite",
    tool: "python3 sqlite3",
    expected: "fmt/729",
    why: "V119 fmt/729 'SQLite Database File Format 3': 'SQLite format 3' 00 at BOF",
    make: (dir) =>
      python(
        "import sys, sqlite3\nc = sqlite3.connect(sys.argv[1])\nc.execute('create table members (year int, count int)')\nc.execute('insert into members values (1921, 40)')\nc.commit()\nc.close()",
        join(dir, "members.sqlite"),
        dir,
      ),
  },
  {
    name: "catalogue.json",
    tool: "python3 json.dump",
    expected: "fmt/817",
    why: "V119 fmt/817 'JSON Data Interchange Format' has no byte signature: DROID identifies it by its extension .json (the only V119 format claiming .json)",
    make: (dir) =>
      python(
        "import sys, json\njson.dump({'fonds': 'Society records', 'series': [1, 2, 3]}, open(sys.argv[1], 'w'), indent=2)",
        join(dir, "catalogue.json"),
        dir,
      ),
  },
  {
    name: "catalogue.xml",
    tool: "python3 xml.etree.ElementTree (xml_declaration=True)",
    expected: "fmt/101",
    why: "V119 fmt/101 'Extensible Markup Language 1.0': \"<?xml version=\" then '1.0' in quotes within 3 bytes of BOF",
    make: (dir) =>
      python(
        "import sys, xml.etree.ElementTree as ET\nroot = ET.Element('fonds'); ET.SubElement(root, 'title').text = 'Society records'\nET.ElementTree(root).write(sys.argv[1], encoding='UTF-8', xml_declaration=True)",
        join(dir, "catalogue.xml"),
        dir,
      ),
  },
  {
    name: "index.html",
    tool: "python3 (HTML5 text, <!DOCTYPE html>)",
    expected: "fmt/471",
    why: "V119 fmt/471 'Hypertext Markup Language 5': '<!' 'DOCTYPE' 'html' '>' within 1024 bytes of BOF; it has priority over fmt/96 (generic HTML)",
    make: (dir) =>
      python(
        "import sys, html\nopen(sys.argv[1], 'w', encoding='utf-8').write('<!DOCTYPE html>\\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Records</title></head><body><p>' + html.escape('Minutes & accounts') + '</p></body></html>\\n')",
        join(dir, "index.html"),
        dir,
      ),
  },
  {
    name: "members.csv",
    tool: "python3 csv.writer",
    expected: "x-fmt/18",
    why: "V119 x-fmt/18 'Comma Separated Values' has no byte signature; .csv is claimed by x-fmt/18 only, so DROID identifies it by extension",
    make: (dir) =>
      python(
        "import sys, csv\nw = csv.writer(open(sys.argv[1], 'w', newline=''))\nw.writerow(['year', 'members'])\nw.writerow([1921, 40])",
        join(dir, "members.csv"),
        dir,
      ),
  },
  {
    name: "notes-utf8.txt",
    tool: "python3 open(encoding='utf-8')",
    expected: "x-fmt/111",
    why: "V119 x-fmt/111 'Plain Text File' (MIME text/plain, extension .txt) has no byte signature: DROID identifies UTF-8 text by the extension .txt",
    make: (dir) =>
      python(
        "import sys\nopen(sys.argv[1], 'w', encoding='utf-8').write('Minutes — Société des archives, 1921\\n')",
        join(dir, "notes-utf8.txt"),
        dir,
      ),
  },
  {
    name: "notes-utf16.txt",
    tool: "python3 open(encoding='utf-16') (BOM FF FE)",
    expected: "x-fmt/111",
    why: "V119 has no byte signature for a UTF-16 byte-order mark (x-fmt/16 'Unicode Text File' has neither a signature nor an extension), so DROID identifies it as x-fmt/111 'Plain Text File' by the extension .txt",
    make: (dir) =>
      python(
        "import sys\nopen(sys.argv[1], 'w', encoding='utf-16').write('Minutes — Société des archives, 1921\\n')",
        join(dir, "notes-utf16.txt"),
        dir,
      ),
  },
];
