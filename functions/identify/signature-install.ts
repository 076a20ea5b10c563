import { copyFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CONTAINER_FILE_PATTERN,
  DROID_FILE_PATTERN,
  readSignatureFile,
  SHIPPED_SIGNATURES_DIR,
  type SignatureFileInfo,
  signatureFilesIn,
} from "./signature-files.ts";

export const ATTRIBUTION =
  "Contains PRONOM data © The National Archives, licensed under the Open Government Licence v3.0";

export interface InstallResult {
  installed: SignatureFileInfo[];
  /** Files given that are already the installed version (same content). */
  unchanged: SignatureFileInfo[];
  removed: string[];
}

/**
 * Installs newer PRONOM signature files into a signature folder (default: the shipped one). Each file
 * is parsed and its version read from it first; an unreadable file, a file that is not a signature
 * file, one whose name does not say what it is, or an older version is refused with the reason, and
 * nothing is changed then. The replaced files are removed and README.md is written again.
 */
export async function installSignatureFiles(
  paths: string[],
  dir: string = SHIPPED_SIGNATURES_DIR,
  options: { allowOlder?: boolean } = {},
): Promise<InstallResult> {
  if (paths.length === 0) throw new Error("no signature file given");
  const current = await currentFiles(dir);
  const incoming = await Promise.all(paths.map(async (path) => (await readSignatureFile(path)).info));
  const kinds = new Set<string>();
  for (const info of incoming) {
    if (kinds.has(info.kind)) throw new Error(`two ${info.kind} signature files given; give one of each`);
    kinds.add(info.kind);
    const pattern = info.kind === "droid" ? DROID_FILE_PATTERN : CONTAINER_FILE_PATTERN;
    if (!pattern.test(info.file)) {
      throw new Error(
        `${info.path}: a ${info.kind} signature file must be named like ${info.kind === "droid" ? "DROID_SignatureFile_V120.xml" : "container-signature-20250101.xml"} (PRONOM's names), not ${info.file}`,
      );
    }
    const installed = current.get(info.kind);
    if (installed && !options.allowOlder && compareVersions(info, installed) < 0) {
      throw new Error(
        `${info.path}: version ${info.version}${info.date ? ` (${info.date})` : ""} is older than the installed ${installed.file} (version ${installed.version}); use --allow-older to install it anyway`,
      );
    }
  }
  const result: InstallResult = { installed: [], unchanged: [], removed: [] };
  for (const info of incoming) {
    const installed = current.get(info.kind);
    if (installed && installed.sha256 === info.sha256 && installed.file === info.file) {
      result.unchanged.push(installed);
      continue;
    }
    const target = join(dir, info.file);
    const temporary = join(dir, `.${info.file}.installing`);
    await copyFile(info.path, temporary);
    await rename(temporary, target);
    if (installed && installed.file !== info.file) {
      await rm(installed.path, { force: true });
      result.removed.push(installed.file);
    }
    result.installed.push({ ...info, path: target });
    current.set(info.kind, { ...info, path: target });
  }
  await writeFile(join(dir, "README.md"), renderSignaturesReadme([...current.values()]));
  return result;
}

async function currentFiles(dir: string): Promise<Map<string, SignatureFileInfo>> {
  const current = new Map<string, SignatureFileInfo>();
  const names = await readdir(dir).catch(() => [] as string[]);
  if (names.some((name) => DROID_FILE_PATTERN.test(name) || CONTAINER_FILE_PATTERN.test(name))) {
    const paths = await signatureFilesIn(dir);
    for (const path of [paths.droid, paths.container]) {
      const { info } = await readSignatureFile(path);
      current.set(info.kind, info);
    }
  }
  return current;
}

/** By version number when both are numbers, then by date. */
function compareVersions(a: SignatureFileInfo, b: SignatureFileInfo): number {
  const [x, y] = [Number(a.version), Number(b.version)];
  if (Number.isFinite(x) && Number.isFinite(y) && x !== y) return x - y;
  return (a.date ?? "").localeCompare(b.date ?? "");
}

/** The README kept beside the files: attribution, and each file's version, date and sha256. */
export function renderSignaturesReadme(files: SignatureFileInfo[]): string {
  const rows = [...files]
    .sort((a, b) => a.kind.localeCompare(b.kind) * -1)
    .map(
      (info) =>
        `| \`${info.file}\` | ${info.kind === "droid" ? "DROID binary signatures and file formats" : "container signatures (OLE2, ZIP)"} | ${info.version} | ${info.date ?? "—"} | \`${info.sha256}\` |`,
    );
  return `# PRONOM signature files

${ATTRIBUTION}.

These are The National Archives' official PRONOM signature files, byte-identical to their release.
Every run identifies formats with them unless a processing configuration names other files
(\`signature_file\`, \`container_signature_file\`). \`stepmatica doctor\` prints the versions in use and
\`stepmatica signatures update FILE...\` replaces them with newer releases (it parses each file, reads
its version from it and rewrites this README).

| file | content | version | date | sha256 |
| ---- | ------- | ------- | ---- | ------ |
${rows.join("\n")}

The DROID file's version and date are its root's \`Version\` and \`DateCreated\` attributes; the
container file's version is its root's \`signatureVersion\` and its date the one in its file name.
Source: The National Archives, PRONOM (https://www.nationalarchives.gov.uk/PRONOM/), Open Government
Licence v3.0 (https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).
`;
}
