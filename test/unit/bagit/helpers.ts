/** Test helpers: temp dirs and hand-made bags built without the library under test. */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";
import type { BagProblem, BagValidationResult } from "../../../functions/bagit/index.ts";

const created: string[] = [];

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "stepmatica-bagit-"));
  created.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export function digestOf(algorithm: string, content: string | Buffer): string {
  return createHash(algorithm).update(content).digest("hex");
}

/** RFC 8493 2.1.3 encoding, written independently of the library. */
export function encodeForManifest(p: string): string {
  return p.split("%").join("%25").split("\r").join("%0D").split("\n").join("%0A");
}

export interface CraftSpec {
  version?: string;
  /** Payload files by bag path ("data/a.txt"). */
  payload?: Record<string, string | Buffer>;
  algorithms?: string[];
  /** Raw bag-info.txt; default a Bagging-Date and the right Payload-Oxum; null for none. */
  bagInfo?: string | null;
  tagManifest?: boolean;
}

export async function writeAt(root: string, relPath: string, content: string | Buffer): Promise<void> {
  const target = path.join(root, ...relPath.split("/"));
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, content);
}

export function manifestText(algorithm: string, files: Record<string, string | Buffer>): string {
  return Object.entries(files)
    .map(([p, content]) => `${digestOf(algorithm, content)}  ${encodeForManifest(p)}\n`)
    .join("");
}

/** A valid bag made by hand (so the validator is not only checked against writeBag's output). */
export async function craftBag(spec: CraftSpec = {}): Promise<string> {
  const dir = await tempDir();
  const payload = spec.payload ?? { "data/a.txt": "alpha\n", "data/sub/b.bin": Buffer.from([0, 1, 2, 255]) };
  await mkdir(path.join(dir, "data"), { recursive: true });
  for (const [p, content] of Object.entries(payload)) await writeAt(dir, p, content);
  await writeFile(
    path.join(dir, "bagit.txt"),
    `BagIt-Version: ${spec.version ?? "1.0"}\nTag-File-Character-Encoding: UTF-8\n`,
  );
  for (const algorithm of spec.algorithms ?? ["sha256"]) {
    await writeFile(path.join(dir, `manifest-${algorithm}.txt`), manifestText(algorithm, payload));
  }
  if (spec.bagInfo !== null) {
    const octets = Object.values(payload).reduce((sum, c) => sum + Buffer.byteLength(c), 0);
    const info =
      spec.bagInfo ?? `Bagging-Date: 2026-01-02\nPayload-Oxum: ${octets}.${Object.keys(payload).length}\n`;
    await writeFile(path.join(dir, "bag-info.txt"), info);
  }
  if (spec.tagManifest !== false) await retag(dir, spec.algorithms ?? ["sha256"]);
  return dir;
}

/**
 * Rewrites tag manifests (those present, or `only`) over the current tag files, so a test's edit
 * shows only its own rule.
 */
export async function retag(dir: string, only?: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  const existing = entries
    .map((e) => /^tagmanifest-(.+)\.txt$/.exec(e.name)?.[1])
    .filter((a) => a !== undefined);
  const algorithms = only ?? (existing.length > 0 ? existing : ["sha256"]);
  const names = entries
    .filter((e) => e.isFile() && !e.name.startsWith("tagmanifest-"))
    .map((e) => e.name)
    .sort();
  for (const algorithm of algorithms) {
    const files: Record<string, Buffer> = {};
    for (const name of names) files[name] = await readFile(path.join(dir, name));
    await writeFile(path.join(dir, `tagmanifest-${algorithm}.txt`), manifestText(algorithm, files));
  }
}

/** Asserts the bag is invalid and every problem is the expected rule about the expected file. */
export function expectOnly(result: BagValidationResult, rule: string, file: string | RegExp): BagProblem[] {
  expect(result.valid, JSON.stringify(result.problems)).toBe(false);
  expect(result.problems.map((p) => p.rule)).toEqual(result.problems.map(() => rule));
  const matches = (p: BagProblem) => (typeof file === "string" ? p.file === file : file.test(p.file));
  expect(result.problems.filter(matches).length, JSON.stringify(result.problems)).toBeGreaterThan(0);
  return result.problems;
}

export function expectValid(result: BagValidationResult): void {
  expect(result.problems).toEqual([]);
  expect(result.valid).toBe(true);
}
