import { type CompiledSequence, compileSequence } from "./compile.ts";
import { readOle2Directory } from "./ole2-reader.ts";
import { type ByteSource, matchBuffer } from "./scan.ts";
import type { ContainerSignatureDef, ContainerSignatureSet, ContainerType } from "./types.ts";
import { type ContainerEntry, readZipDirectory } from "./zip-reader.ts";

/** Never inflate more of one entry than this, however a signature is written. */
const MAX_ENTRY_BYTES = 16 << 20;

interface CompiledContainerFile {
  path: string;
  /** Alternatives: any one (all of its sequences) satisfies the file. */
  signatures: CompiledSequence[][];
  /** Bytes of the entry a signature can reach. */
  reach: number;
}

export interface CompiledContainer {
  definition: ContainerSignatureDef;
  files: CompiledContainerFile[];
  weight: number;
}

export interface CompiledContainers {
  byType: Map<ContainerType, CompiledContainer[]>;
  /** Binary-match PUID → container types to open. */
  triggers: Map<string, ContainerType[]>;
  warnings: string[];
}

export function compileContainers(set: ContainerSignatureSet): CompiledContainers {
  const byType = new Map<ContainerType, CompiledContainer[]>();
  const warnings: string[] = [];
  for (const definition of set.signatures) {
    if (definition.puids.length === 0 || definition.files.length === 0) continue;
    try {
      const files = definition.files.map((file) => {
        const signatures = file.signatures.map((s) => s.sequences.map(compileSequence));
        const reaches = signatures
          .flat()
          .map((s) => (s.anchor === "BOF" ? s.reach : Number.POSITIVE_INFINITY));
        return { path: file.path, signatures, reach: Math.min(MAX_ENTRY_BYTES, Math.max(0, ...reaches)) };
      });
      const weight = files.length + files.reduce((sum, f) => sum + f.signatures.length, 0);
      const list = byType.get(definition.containerType) ?? [];
      list.push({ definition, files, weight });
      byType.set(definition.containerType, list);
    } catch (error) {
      warnings.push(`container signature ${definition.id} skipped: ${(error as Error).message}`);
    }
  }
  const triggers = new Map<string, ContainerType[]>();
  for (const trigger of set.triggers) {
    triggers.set(trigger.puid, [...new Set([...(triggers.get(trigger.puid) ?? []), trigger.containerType])]);
  }
  return { byType, triggers, warnings };
}

/** Opens the container's directory and returns the container signatures it satisfies. */
export async function matchContainers(
  compiled: CompiledContainers,
  type: ContainerType,
  source: ByteSource,
): Promise<CompiledContainer[]> {
  const candidates = compiled.byType.get(type) ?? [];
  if (candidates.length === 0) return [];
  const entries = type === "ZIP" ? await readZipDirectory(source) : await readOle2Directory(source);
  const contents = new Map<string, Promise<Buffer | null>>();
  const content = (entry: ContainerEntry, reach: number): Promise<Buffer | null> => {
    const key = `${entry.name}\u0000${reach}`;
    let cached = contents.get(key);
    if (!cached) {
      // An unreadable entry (unknown compression, damage) simply does not match.
      cached = entry.read(reach).catch(() => null);
      contents.set(key, cached);
    }
    return cached;
  };
  const lookup = type === "OLE2" ? caseInsensitive(entries) : entries;
  const matched: CompiledContainer[] = [];
  for (const container of candidates) {
    let ok = true;
    for (const file of container.files) {
      const entry = lookup.get(type === "OLE2" ? file.path.toLowerCase() : file.path);
      if (!entry) {
        ok = false;
        break;
      }
      if (file.signatures.length === 0) continue;
      const bytes = await content(entry, file.reach);
      if (!bytes || !file.signatures.some((sequences) => sequences.every((s) => matchBuffer(s, bytes)))) {
        ok = false;
        break;
      }
    }
    if (ok) matched.push(container);
  }
  return matched;
}

function caseInsensitive(entries: Map<string, ContainerEntry>): Map<string, ContainerEntry> {
  return new Map([...entries].map(([name, entry]) => [name.toLowerCase(), entry]));
}
