import { open } from "node:fs/promises";

export interface Verdict {
  /** "not applicable": the check does not cover this file (MediaConch's N/A, a tool not installed). */
  outcome: "pass" | "fail" | "not applicable";
  detail: string;
}

export interface Validator {
  /** Program name and version for the PREMIS event detail. */
  program: string;
  version(): Promise<string>;
  validate(file: string, signal: AbortSignal): Promise<Verdict>;
}

export const pass = (detail: string): Verdict => ({ outcome: "pass", detail });
export const fail = (detail: string): Verdict => ({ outcome: "fail", detail });

/** Reads `length` bytes at `position` (fewer at the end of the file). */
export async function readAt(file: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Thrown by a parser on the first structural problem; becomes a "fail" verdict. */
export class Malformed extends Error {}
