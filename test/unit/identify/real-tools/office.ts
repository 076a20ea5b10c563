import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type CorpusFile, run } from "./make.ts";

/** A corpus file LibreOffice makes: `source` (written with `content`) saved with an export filter. */
export interface OfficeRecipe extends CorpusFile {
  source: string;
  content: string;
  /** The export filter's name, as `soffice --convert-to ext:FILTER` takes it. */
  filter: string;
}

const basicString = (text: string) => `"${text.replaceAll('"', '""')}"`;
const xmlText = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

/**
 * The Basic module that makes every file in one LibreOffice process: each source is loaded (type
 * detection, as `--convert-to` does) and stored with its export filter. A failure is written to
 * `errorFile` and ends LibreOffice (the half-made document would keep it running); left
 * unhandled, a Basic error would open a dialog and hang.
 */
function conversionModule(dir: string, recipes: OfficeRecipe[], errorFile: string): string {
  const calls = recipes.map(
    (r) =>
      `  made = ${basicString(r.name)}\n  Convert(${basicString(join(dir, r.source))}, ${basicString(join(dir, r.name))}, ${basicString(r.filter)})`,
  );
  const basic = `Sub Convert(source As String, target As String, filter As String)
  Dim load(0) As New com.sun.star.beans.PropertyValue
  load(0).Name = "Hidden"
  load(0).Value = True
  Dim doc As Object
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(source), "_blank", 0, load())
  Dim store(0) As New com.sun.star.beans.PropertyValue
  store(0).Name = "FilterName"
  store(0).Value = filter
  doc.storeToURL(ConvertToURL(target), store())
  doc.close(True)
End Sub

Sub Main
  Dim made As String
  On Error Goto Failed
${calls.join("\n")}
  Exit Sub
Failed:
  Dim f As Integer
  f = FreeFile
  Open ${basicString(errorFile)} For Output As #f
  Print #f, made & ": " & Error$
  Close #f
  StarDesktop.terminate()
End Sub
`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Corpus" script:language="StarBasic">${xmlText(basic)}</script:module>
`;
}

const LIBRARY = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" library:readonly="false" library:passwordprotected="false">
 <library:element library:name="Corpus"/>
</library:library>
`;

/**
 * Makes every LibreOffice file of the corpus with one soffice process (about 6 CPU seconds each;
 * one per file cost ten). The first start only creates the profile (`--terminate_after_init`,
 * which also writes its Basic library, so the macro is put in afterwards); the second runs the
 * conversions. A file that was not made fails, with the macro's error when it wrote one.
 */
export async function makeOfficeFiles(dir: string, recipes: OfficeRecipe[]): Promise<string[]> {
  for (const r of recipes) await writeFile(join(dir, r.source), r.content);
  const profile = join(dir, "lo-profile");
  const soffice = (...args: string[]) =>
    run(
      "soffice",
      ["--headless", "--norestore", `-env:UserInstallation=file://${profile}`, ...args],
      dir,
      300_000,
    );
  await soffice("--terminate_after_init");
  const library = join(profile, "user/basic/Standard");
  await mkdir(library, { recursive: true });
  const errorFile = join(dir, "lo-error.txt");
  await writeFile(join(library, "script.xlb"), LIBRARY);
  await writeFile(join(library, "Corpus.xba"), conversionModule(dir, recipes, errorFile));
  await soffice("macro:///Standard.Corpus.Main");
  const error = await readFile(errorFile, "utf8").catch(() => "");
  const missing: string[] = [];
  for (const r of recipes) {
    const made = await stat(join(dir, r.name)).then(
      (file) => file.size > 0,
      () => false,
    );
    if (!made) missing.push(`${r.name} (filter "${r.filter}")`);
  }
  if (missing.length === 0) return [];
  const stopped = error ? `; the macro stopped at ${error.trim()}` : "";
  return [`soffice did not write ${missing.join(", ")}${stopped}`];
}
