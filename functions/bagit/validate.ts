/**
 * validateBag: every rule of RFC 8493 sections 2 and 3 (BagIt 1.0; the drafts 0.93–0.97 by their
 * looser rules), with file-level findings. Only what makes a bag invalid (as bagit-python judges it:
 * a missing, altered or unlisted payload file, a wrong Payload-Oxum, an unreadable declaration) is a
 * problem; what old tools wrote differently is a warning.
 */
import { readdir } from "node:fs/promises";
import { checkContents } from "./contents.ts";
import { isDraftVersion, readDeclaration } from "./declaration.ts";
import { bagPath, DEFAULT_CONCURRENCY, isDirectory, type ListedFile, listFiles } from "./files.ts";
import { loadManifests } from "./load-manifests.ts";
import { checkBagInfo, checkFetch } from "./tag-files.ts";
import { type BagValidationResult, PAYLOAD_DIR } from "./types.ts";

export interface ValidateBagOptions {
  /** Files hashed at once; default 8. */
  concurrency?: number;
}

export async function validateBag(
  dir: string,
  options: ValidateBagOptions = {},
): Promise<BagValidationResult> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!(await isDirectory(dir))) {
    return {
      valid: false,
      version: null,
      problems: [{ file: dir, rule: "bag-declaration", message: "is not a directory" }],
      warnings: [],
      payloadFiles: 0,
      algorithms: [],
    };
  }
  const declaration = await readDeclaration(dir);
  const problems = [...declaration.problems];
  const warnings = [];
  // Without a readable declaration the remaining checks still run, by the 1.0 rules; every draft
  // (0.93–0.97) is checked by the 0.97 rules, which are the loosest.
  const rulesVersion = isDraftVersion(declaration.version) ? "0.97" : "1.0";

  let payloadFiles: ListedFile[] = [];
  if (await isDirectory(bagPath(dir, PAYLOAD_DIR))) {
    payloadFiles = await listFiles(bagPath(dir, PAYLOAD_DIR), PAYLOAD_DIR);
  } else {
    problems.push({
      file: `${PAYLOAD_DIR}/`,
      rule: "payload-directory",
      message: "payload directory data/ is missing",
    });
  }
  const rootEntries = await readdir(dir, { withFileTypes: true });
  const rootFileNames = rootEntries.filter((entry) => entry.isFile()).map((entry) => entry.name);
  const tagFiles = await listFiles(dir, "", new Set([PAYLOAD_DIR]));

  const manifests = await loadManifests(dir, rootFileNames, rulesVersion, declaration.encoding);
  for (const item of manifests.problems) problems.push(item);
  for (const item of manifests.warnings) warnings.push(item);

  const payloadPaths = new Set(payloadFiles.map((file) => file.path));
  const manifestPaths = manifests.payload.map((m) => ({
    name: m.name,
    paths: new Set(m.entries.map((e) => e.path)),
  }));
  const fetch = await checkFetch(dir, declaration.encoding, payloadPaths, manifestPaths);
  for (const item of fetch.problems) problems.push(item);
  for (const item of fetch.warnings) warnings.push(item);

  const contents = await checkContents({
    bagDir: dir,
    version: rulesVersion,
    payloadFiles,
    tagFiles,
    payloadManifests: manifests.payload,
    tagManifests: manifests.tag,
    fetchPaths: fetch.paths,
    concurrency,
  });
  for (const item of contents.problems) problems.push(item);
  for (const item of contents.warnings) warnings.push(item);

  const bagInfo = await checkBagInfo(dir, declaration.version ?? rulesVersion, declaration.encoding, {
    payloadFiles,
    concurrency,
  });
  for (const item of bagInfo.problems) problems.push(item);
  for (const item of bagInfo.warnings) warnings.push(item);

  return {
    valid: problems.length === 0,
    version: declaration.version,
    problems,
    warnings,
    payloadFiles: payloadFiles.length,
    algorithms: manifests.payload.map((m) => m.algorithm),
  };
}
