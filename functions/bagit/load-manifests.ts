/** Finds and parses the payload and tag manifests of a bag (RFC 8493 2.1.3, 2.2.1). */
import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  decodeTagText,
  type ManifestEntry,
  manifestAlgorithm,
  PAYLOAD_MANIFEST_NAME,
  parseManifest,
  TAG_MANIFEST_NAME,
} from "./manifest.ts";
import { ALGORITHMS, type Algorithm, type BagProblem, isAlgorithm } from "./types.ts";

export interface LoadedManifest {
  name: string;
  kind: "payload" | "tag";
  algorithm: string;
  /** Set when the algorithm is one we verify. */
  verifiable: Algorithm | null;
  entries: ManifestEntry[];
}

export interface LoadedManifests {
  payload: LoadedManifest[];
  tag: LoadedManifest[];
  problems: BagProblem[];
  warnings: BagProblem[];
}

export async function loadManifests(
  bagDir: string,
  rootFileNames: readonly string[],
  version: string,
  encoding: string,
): Promise<LoadedManifests> {
  const result: LoadedManifests = { payload: [], tag: [], problems: [], warnings: [] };
  const names = rootFileNames.filter(
    (name) => PAYLOAD_MANIFEST_NAME.test(name) || TAG_MANIFEST_NAME.test(name),
  );
  for (const name of names.sort()) {
    const kind = TAG_MANIFEST_NAME.test(name) ? "tag" : "payload";
    const algorithm = manifestAlgorithm(name)!;
    const verifiable = isAlgorithm(algorithm) ? algorithm : null;
    if (!verifiable) {
      const message = `algorithm "${algorithm}" is not supported (${ALGORITHMS.join(", ")}); not verified`;
      result.warnings.push({ file: name, rule: "unsupported-algorithm", message });
    }
    const bytes = await readFile(path.join(bagDir, name)).catch((error: Error) => error);
    if (bytes instanceof Error) {
      result.problems.push({ file: name, rule: "unreadable-file", message: `cannot read: ${bytes.message}` });
      continue;
    }
    const decoded = decodeTagText(bytes, name, encoding);
    for (const item of decoded.problems) result.problems.push(item);
    for (const item of decoded.warnings) result.warnings.push(item);
    if (decoded.text === null) continue;
    const parsed = parseManifest(decoded.text, { file: name, algorithm, kind, version });
    for (const item of parsed.problems) result.problems.push(item);
    for (const item of parsed.warnings) result.warnings.push(item);
    result[kind].push({ name, kind, algorithm, verifiable, entries: parsed.entries });
  }
  if (!names.some((name) => PAYLOAD_MANIFEST_NAME.test(name))) {
    const message = "no payload manifest (manifest-<algorithm>.txt) found; at least one is required";
    result.problems.push({ file: "manifest-<algorithm>.txt", rule: "payload-manifest-missing", message });
  } else if (result.payload.length > 0 && !result.payload.some((manifest) => manifest.verifiable)) {
    const message = "no payload manifest uses a supported algorithm, so no checksum can be verified";
    result.problems.push({ file: result.payload[0]!.name, rule: "unsupported-algorithm", message });
  }
  return result;
}
