import type { ByteSequenceDef, FormatDef, InternalSignatureDef, SignatureSet } from "../types.ts";

/** A built-in format: the loader's FormatDef with signatures inline and priorities by PUID. */
export interface BuiltinFormat {
  puid: string;
  name: string;
  version?: string;
  mime?: string;
  extensions: string[];
  /** Each entry is one internal signature: all of its byte sequences must match. */
  signatures: ByteSequenceDef[][];
  priorityOver?: string[];
}

/** A sequence at [min, max] from BOF; `later` patterns follow it anywhere (unbounded gaps). */
export function bof(pattern: string, min = 0, max: number | null = min, ...later: string[]): ByteSequenceDef {
  return {
    anchor: "BOF",
    subsequences: [
      { minOffset: min, maxOffset: max, pattern },
      ...later.map((p) => ({ minOffset: 0, maxOffset: null, pattern: p })),
    ],
  };
}

/** A sequence ending [min, max] bytes before EOF. */
export function eof(pattern: string, min = 0, max: number | null = min): ByteSequenceDef {
  return { anchor: "EOF", subsequences: [{ minOffset: min, maxOffset: max, pattern }] };
}

/** Patterns found anywhere, in this order. */
export function anywhere(...patterns: string[]): ByteSequenceDef {
  return {
    anchor: "VAR",
    subsequences: patterns.map((p) => ({ minOffset: 0, maxOffset: null, pattern: p })),
  };
}

/** Numbers formats and signatures the way a signature file would. */
export function toSignatureSet(source: string, version: string, table: BuiltinFormat[]): SignatureSet {
  const idByPuid = new Map(table.map((format, index) => [format.puid, index + 1]));
  const signatures: InternalSignatureDef[] = [];
  const formats: FormatDef[] = table.map((format, index) => {
    const signatureIds = format.signatures.map((sequences) => {
      const id = signatures.length + 1;
      signatures.push({ id, sequences });
      return id;
    });
    return {
      id: index + 1,
      puid: format.puid,
      name: format.name,
      version: format.version ?? null,
      mime: format.mime ?? null,
      extensions: format.extensions,
      signatureIds,
      priorityOver: (format.priorityOver ?? []).flatMap((puid) => idByPuid.get(puid) ?? []),
    };
  });
  return { source, version, formats, signatures };
}
