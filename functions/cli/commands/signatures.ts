import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadSignatureFolder } from "../../identify/index.ts";
import { installSignatureFiles } from "../../identify/signature-install.ts";
import { CliError, type CliIo, writeLine } from "../io.ts";

const USAGE = `usage: stepmatica signatures show [--dir DIR]
       stepmatica signatures update [--dir DIR] [--allow-older] FILE...
  FILE: a PRONOM DROID_SignatureFile_V*.xml and/or container-signature-YYYYMMDD.xml`;

/**
 * `stepmatica signatures`: the PRONOM signature files identification uses by default. `update`
 * validates newer files (parsed, version read from them) and installs them in place of the shipped
 * ones; `show` prints what is installed. 0 done, 1 refused, 2 usage.
 */
export async function signaturesCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { dir: { type: "string" }, "allow-older": { type: "boolean" } },
  });
  const [action, ...given] = positionals;
  const files = given.map((file) => resolve(io.cwd, file));
  const dir = values.dir === undefined ? undefined : resolve(io.cwd, values.dir);
  if (action === "show" && files.length === 0) {
    const { files: installed } = await loadSignatureFolder(dir);
    for (const info of installed) writeLine(io.stdout, describe(info));
    return 0;
  }
  if (action !== "update" || files.length === 0) throw new CliError(USAGE, 2);
  let result: Awaited<ReturnType<typeof installSignatureFiles>>;
  try {
    result = await installSignatureFiles(files, dir, { allowOlder: values["allow-older"] ?? false });
  } catch (error) {
    throw new CliError(`update refused, nothing changed: ${(error as Error).message}`, 1);
  }
  for (const info of result.installed) writeLine(io.stdout, `installed ${describe(info)}`);
  for (const info of result.unchanged) writeLine(io.stdout, `already installed ${describe(info)}`);
  for (const file of result.removed) writeLine(io.stdout, `removed ${file}`);
  return 0;
}

function describe(info: {
  kind: string;
  file: string;
  version: string;
  date: string | null;
  sha256: string;
}): string {
  return `${info.kind} ${info.file} version ${info.version}${info.date ? ` (${info.date})` : ""} sha256 ${info.sha256}`;
}
