import type { Basis, Candidate, FormatDef, Identification } from "./types.ts";

/** One format that some evidence (a signature, a container signature, an extension) points to. */
export interface Hit {
  puid: string;
  format: FormatDef | null;
  /** Specificity of the evidence: more literal bytes / container files win ties. */
  weight: number;
  source: string;
}

/**
 * Applies DROID's rules: a hit is dropped when another hit's format has priority over it; the rest
 * are all reported, the chosen one being the most specific (then the lowest PUID, for determinism).
 */
export function resolveHits(path: string, hits: Hit[], basis: Basis): Identification {
  const byPuid = new Map<string, Hit>();
  for (const hit of hits) {
    const known = byPuid.get(hit.puid);
    if (!known || hit.weight > known.weight) byPuid.set(hit.puid, hit);
  }
  const present = [...byPuid.values()];
  const dominated = new Set<number>();
  for (const hit of present) for (const id of hit.format?.priorityOver ?? []) dominated.add(id);
  const remaining = present.filter((hit) => !(hit.format && dominated.has(hit.format.id)));
  // A priority cycle would drop everything; DROID then keeps them all.
  const survivors = remaining.length > 0 ? remaining : present;
  survivors.sort((a, b) => b.weight - a.weight || comparePuids(a.puid, b.puid));
  const [chosen, ...others] = survivors;
  if (!chosen) return unidentified(path);
  const detail = [...new Set(survivors.map((hit) => hit.source))].join(", ");
  const result: Identification = { path, ...candidate(chosen), basis, detail };
  if (others.length > 0) result.alternatives = others.map(candidate);
  return result;
}

export function unidentified(path: string, warning?: string, basis: Basis = "unidentified"): Identification {
  const result: Identification = { path, puid: null, format: null, version: null, mime: null, basis };
  if (warning) result.warning = warning;
  return result;
}

function candidate(hit: Hit): Candidate {
  return {
    puid: hit.puid,
    format: hit.format?.name ?? null,
    version: hit.format?.version ?? null,
    mime: hit.format?.mime ?? null,
  };
}

/** "fmt/9" < "fmt/10" < "x-fmt/1": prefix, then number. */
export function comparePuids(a: string, b: string): number {
  const [prefixA = "", numberA = "0"] = a.split("/");
  const [prefixB = "", numberB = "0"] = b.split("/");
  return prefixA.localeCompare(prefixB) || Number(numberA) - Number(numberB) || a.localeCompare(b);
}
