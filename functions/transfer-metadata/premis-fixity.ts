/**
 * The checksums and sizes metadata/premis.xml records for its objects, checked against the files
 * (Archivematica's importer does not look at them; a depositor's fixity that no longer matches is
 * exactly what a preservation system must catch). Each object with a checksum or a size gets one
 * result: a mismatch is a problem that rejects the transfer, naming the file; an algorithm we cannot
 * compute is a warning, recorded in the file's "fixity check" event.
 */
import path from "node:path";
import { ALGORITHMS, type Algorithm } from "../bagit/index.ts";
import { digestFile } from "../core/digest.ts";
import type { FileRecord } from "../core/model.ts";
import { readPremis } from "./premis-read.ts";
import { targetResolver } from "./targets.ts";

export interface PremisFixityResult {
  /** The file's path in the transfer. */
  path: string;
  line: number;
  /** "md5, size", for the event detail. */
  checked: string[];
  problems: string[];
  warnings: string[];
}

/** "MD5", "SHA-256", "sha256", "SHA256" → sha256; null for what we cannot compute. */
export function digestAlgorithmOf(recorded: string): Algorithm | null {
  const name = recorded.trim().toLowerCase().replace(/[-_ ]/g, "");
  return (ALGORITHMS as readonly string[]).includes(name) ? (name as Algorithm) : null;
}

export async function checkPremisFixity(
  xml: string,
  where: string,
  unitPath: string,
  files: readonly FileRecord[],
  signal: AbortSignal,
): Promise<PremisFixityResult[]> {
  const doc = readPremis(xml, where);
  const resolve = targetResolver(files);
  const sizeOf = new Map(files.map((f) => [f.path, f.size]));
  const results: PremisFixityResult[] = [];
  for (const object of doc.objects) {
    const target = resolve(object.name, `${where} line ${object.line}`);
    if (object.fixity.length === 0 && object.size === null) continue;
    const result: PremisFixityResult = {
      path: target,
      line: object.line,
      checked: [],
      problems: [],
      warnings: [],
    };
    const at = `${where} line ${object.line}`;
    if (object.size !== null) {
      result.checked.push("size");
      const actual = sizeOf.get(target);
      if (actual !== object.size)
        result.problems.push(`size in ${at} is ${object.size} bytes, the file's is ${actual} bytes`);
    }
    const wanted = object.fixity.flatMap((f) => {
      const algorithm = digestAlgorithmOf(f.algorithm);
      if (!algorithm) {
        result.warnings.push(
          `${at}: messageDigestAlgorithm ${JSON.stringify(f.algorithm)} is not one stepmatica computes (${ALGORITHMS.join(", ")}): not checked`,
        );
        return [];
      }
      return [{ algorithm, digest: f.digest.trim().toLowerCase() }];
    });
    if (wanted.length > 0) {
      const algorithms = [...new Set(wanted.map((w) => w.algorithm))];
      const { digests } = await digestFile(path.join(unitPath, ...target.split("/")), algorithms, signal);
      for (const { algorithm, digest } of wanted) {
        result.checked.push(algorithm);
        if (digests[algorithm] !== digest)
          result.problems.push(`${algorithm} in ${at} is ${digest}, the file's is ${digests[algorithm]}`);
      }
    }
    results.push(result);
  }
  return results;
}
