import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  createIdentifier,
  type Identification,
  type IdentifierOptions,
  loadContainerSignatures,
  loadSignatureFile,
  loadSignatureFolder,
} from "../../identify/index.ts";

const USAGE =
  "usage: stepmatica identify [--json] [--signatures FILE] [--container-signatures FILE] PATH...\n";
const BATCH = 256;

interface IdentifyArgs {
  json: boolean;
  signatures?: string;
  containers?: string;
  paths: string[];
}

/** `stepmatica identify`: PRONOM format of each file (folders are walked). 0 done, 2 usage error. */
export async function identifyCommand(
  argv: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === "string") {
    io.stderr.write(`stepmatica identify: ${args}\n${USAGE}`);
    return 2;
  }
  let options: IdentifierOptions;
  try {
    // Without options: the official PRONOM files shipped with stepmatica (`signatures update` replaces them).
    const shipped = args.signatures && args.containers ? null : await loadSignatureFolder();
    options = {
      signatures: args.signatures ? await loadSignatureFile(args.signatures) : shipped!.signatures,
      containers: args.containers ? await loadContainerSignatures(args.containers) : shipped!.containers,
    };
  } catch (error) {
    io.stderr.write(`stepmatica identify: ${(error as Error).message}\n`);
    return 2;
  }
  const identifier = createIdentifier(options);
  if (!args.json) io.stdout.write(`${pad("PUID", 12)} ${pad("FORMAT", 44)} ${pad("BASIS", 13)} PATH\n`);
  let batch: string[] = [];
  const flush = async (): Promise<void> => {
    for (const result of await identifier.identifyMany(batch, 16)) io.stdout.write(render(result, args.json));
    batch = [];
  };
  for (const root of args.paths) {
    for await (const path of walk(root)) {
      batch.push(path);
      if (batch.length >= BATCH) await flush();
    }
  }
  await flush();
  return 0;
}

function parseArgs(argv: string[]): IdentifyArgs | string {
  const args: IdentifyArgs = { json: false, paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    if (flag === "--json") args.json = true;
    else if (flag === "--signatures" || flag === "--container-signatures") {
      const value = inline ?? argv[++i];
      if (!value) return `${flag} needs a file`;
      if (flag === "--signatures") args.signatures = value;
      else args.containers = value;
    } else if (flag === "--") args.paths.push(...argv.slice(i + 1).splice(0));
    else if (flag.startsWith("-") && flag !== "-") return `unknown option ${flag}`;
    else args.paths.push(arg);
    if (flag === "--") break;
  }
  if (args.paths.length === 0) return "no PATH given";
  return args;
}

/** Files under a path, in name order; a path that cannot be read is yielded so its line reports why. */
async function* walk(path: string): AsyncGenerator<string> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    yield path;
    return;
  }
  if (!info.isDirectory()) {
    yield path;
    return;
  }
  let names: string[];
  try {
    names = (await readdir(path)).sort();
  } catch {
    yield path;
    return;
  }
  for (const name of names) yield* walk(join(path, name));
}

function render(result: Identification, json: boolean): string {
  if (json) {
    const { path, puid, format, version, mime, basis, warning } = result;
    return `${JSON.stringify({ path, puid, format, version, mime, basis, ...(warning ? { warning } : {}) })}\n`;
  }
  const name = result.format ? `${result.format}${result.version ? ` ${result.version}` : ""}` : "-";
  const note = result.warning ? `  (${result.warning})` : "";
  return `${pad(result.puid ?? "-", 12)} ${pad(name, 44)} ${pad(result.basis, 13)} ${result.path}${note}\n`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}
