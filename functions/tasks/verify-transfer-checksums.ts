import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import {
  ALGORITHMS,
  type Algorithm,
  checkChecksumFile,
  isAlgorithm,
  readDeclaration,
  readManifest,
} from "../bagit/index.ts";
import { digestFile } from "../core/digest.ts";
import type { EventRecord, FileRecord } from "../core/model.ts";
import type { TaskContext, TaskModule } from "../core/task-module.ts";
import { TransferMetadataError } from "../transfer-metadata/errors.ts";
import { checkPremisFixity } from "../transfer-metadata/premis-fixity.ts";
import { BAG_TAG_FOLDER, readBagLayout, transferPathOfBagPath } from "./bag-layout.ts";
import { fileEvent } from "./events.ts";
import { exists } from "./fs-walk.ts";

/** One checked line: the transfer path, and the problem when it failed. */
interface Check {
  path: string;
  algorithm: Algorithm;
  source: string;
  digest: string;
  problem: string | null;
}

/**
 * Verify transfer checksums: the depositor's metadata/checksum.<md5|sha1|sha256|sha512> files and a
 * bag's payload manifests (kept in logs/bagit/) are checked against the files. Every listed file
 * gets a "fixity check" event; a mismatch or a missing file rejects the transfer, naming the file.
 * The checksums and sizes of metadata/premis.xml's objects are checked the same way.
 */
export const verifyTransferChecksums: TaskModule = {
  name: "verify-transfer-checksums",
  command: "verify-transfer-checksums (metadata/checksum.*, bag manifests)",
  async run(ctx) {
    const checks: Check[] = [];
    const problems: string[] = [];
    for (const algorithm of ALGORITHMS) {
      const rel = `metadata/checksum.${algorithm}`;
      if (!(await exists(path.join(ctx.unitPath, "metadata", `checksum.${algorithm}`)))) continue;
      for (const item of await checkSuppliedFile(ctx.unitPath, rel, algorithm, problems)) checks.push(item);
    }
    for (const item of await checkBagManifests(ctx.unitPath, problems, ctx.signal)) checks.push(item);
    const premis = await premisChecks(ctx, problems);
    if (checks.length === 0 && premis.length === 0 && problems.length === 0) {
      ctx.stdout("no supplied checksums (metadata/checksum.* or bag manifests): nothing to verify");
      return { exitCode: 0, output: { verified: 0 } };
    }
    const byPath = await filesByPath(ctx, [...checks.map((c) => c.path), ...premis.map((c) => c.path)]);
    const events: EventRecord[] = [];
    for (const check of checks) {
      if (check.problem) problems.push(`${check.path}: ${check.problem}`);
      const file = byPath.get(check.path);
      if (!file) continue;
      events.push(
        fileEvent(ctx, file, "fixity check", {
          key: check.source,
          detail: `program="stepmatica"; algorithm="${check.algorithm}"; source="${check.source}"`,
          outcome: check.problem ? "failure" : "success",
          outcomeDetail: check.problem ?? `${check.algorithm} ${check.digest} matches ${check.source}`,
        }),
      );
    }
    for (const check of premis) {
      const file = byPath.get(check.path);
      for (const problem of check.problems) problems.push(`${check.path}: ${problem}`);
      for (const warning of check.warnings) ctx.stdout(`${check.path}: warning: ${warning}`);
      if (!file) continue;
      const notes = [...check.problems, ...check.warnings.map((w) => `warning: ${w}`)];
      events.push(
        fileEvent(ctx, file, "fixity check", {
          key: PREMIS_XML,
          detail: `program="stepmatica"; algorithm="${check.checked.join(", ")}"; source="${PREMIS_XML}"`,
          outcome: check.problems.length > 0 ? "failure" : check.warnings.length > 0 ? "warning" : "success",
          outcomeDetail:
            notes.length > 0
              ? notes.join("; ")
              : `${check.checked.join(", ")} match ${PREMIS_XML} line ${check.line}`,
        }),
      );
    }
    for (const p of problems) ctx.stderr(p);
    const verified =
      checks.filter((c) => !c.problem).length + premis.filter((c) => !c.problems.length).length;
    ctx.stdout(`verified ${verified} supplied checksum(s); ${problems.length} problem(s)`);
    return { exitCode: problems.length > 0 ? 1 : 0, events, output: { verified } };
  },
};

const PREMIS_XML = "metadata/premis.xml";

/** Paths looked up in the store at once (a page, as the store reads). */
const PATHS_PER_LOOKUP = 2000;

/** The unit's files at the checked paths, looked up a page of paths at a time. */
async function filesByPath(ctx: TaskContext, paths: string[]): Promise<Map<string, FileRecord>> {
  const unique = [...new Set(paths)];
  const byPath = new Map<string, FileRecord>();
  for (let i = 0; i < unique.length; i += PATHS_PER_LOOKUP)
    for (const f of await ctx.store.filesAtPaths(ctx.unit.id, unique.slice(i, i + PATHS_PER_LOOKUP), {
      withoutCharacteristics: true,
    }))
      byPath.set(f.path, f);
  return byPath;
}

/** The checksums and sizes metadata/premis.xml records; a premis.xml that cannot be read is a problem. */
async function premisChecks(ctx: TaskContext, problems: string[]) {
  const xml = await readFile(path.join(ctx.unitPath, ...PREMIS_XML.split("/")), "utf8").catch((error) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  });
  if (xml === null) return [];
  // The one whole-unit read a task makes (issue 16's allowed exception): a depositor's premis.xml
  // may name any file or folder by its original path, so its names are resolved against every file.
  // Only transfers that bring a premis.xml pay for it.
  const files: FileRecord[] = [];
  for await (const page of ctx.store.filePages(ctx.unit.id, { withoutCharacteristics: true }))
    for (const f of page) files.push(f);
  try {
    return await checkPremisFixity(xml, PREMIS_XML, ctx.unitPath, files, ctx.signal);
  } catch (error) {
    if (!(error instanceof TransferMetadataError)) throw error;
    problems.push(error.message);
    return [];
  }
}

/**
 * metadata/checksum.<alg>: paths relative to objects/ (how Archivematica's own transfers and
 * `md5deep -rl` run in objects/ write them), to the transfer root, or "../objects/…" from metadata/.
 */
async function checkSuppliedFile(
  unitPath: string,
  rel: string,
  algorithm: Algorithm,
  problems: string[],
): Promise<Check[]> {
  const found = await checkChecksumFile(unitPath, rel, algorithm, { alsoRelativeTo: ["objects"] });
  // Problems not about a listed file: the checksum file itself (bad lines, paths leaving the transfer).
  for (const p of found.problems) problems.push(`${p.file}: ${p.message}`);
  return found.checks.map((check) => ({
    path: check.file,
    algorithm,
    source: rel,
    digest: check.digest,
    problem: check.problem?.message ?? null,
  }));
}

/** A bag's payload manifests, with data/ paths mapped to where the files are now. */
async function checkBagManifests(
  unitPath: string,
  problems: string[],
  signal: AbortSignal,
): Promise<Check[]> {
  const layout = await readBagLayout(unitPath);
  if (!layout) return [];
  const tags = path.join(unitPath, ...BAG_TAG_FOLDER.split("/"));
  const checks: Check[] = [];
  const { encoding } = await readDeclaration(tags);
  for (const name of (await readdir(tags)).sort()) {
    const algorithm = /^manifest-([a-z0-9]+)\.txt$/.exec(name)?.[1];
    if (!algorithm || !isAlgorithm(algorithm)) continue;
    const source = `${BAG_TAG_FOLDER}/${name}`;
    const manifest = await readManifest(path.join(tags, name), algorithm, { encoding });
    for (const p of manifest.problems) problems.push(`${source}: ${p.message}`);
    for (const entry of manifest.entries) {
      const target = transferPathOfBagPath(entry.path, layout);
      if (!target) continue;
      let problem: string | null = null;
      try {
        const { digests } = await digestFile(path.join(unitPath, ...target.split("/")), [algorithm], signal);
        if (digests[algorithm] !== entry.digest)
          problem = `${algorithm} in ${source} is ${entry.digest}, the file's is ${digests[algorithm]}`;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        problem = code === "ENOENT" ? `listed in ${source} but not present` : `cannot read: ${code}`;
      }
      checks.push({ path: target, algorithm, source, digest: entry.digest, problem });
    }
  }
  return checks;
}
