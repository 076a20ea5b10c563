import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ContainerSignatureSet,
  createIdentifier,
  type Identification,
  type Identifier,
  loadContainerSignatures,
  loadSignatureFile,
  type SignatureSet,
} from "../../../functions/identify/index.ts";
import { CONTAINER_FILE, DROID_FILE, tempDir } from "./samples.ts";
import { synthesize, synthesizeContainer } from "./synthesize.ts";

/**
 * A secondary check: every signature of V119 and every container signature, turned into a file by
 * our own pattern parser (synthesize.ts), must be identified as its own format. Generator and matcher
 * share their reading of the syntax here, so this cannot catch a misreading; the main claim is the
 * real-tool corpus (real-tools.test.ts), which also runs the mutation check.
 *
 * Rule for "correct": the answer set (puid + alternatives) equals the formats the signature maps to,
 * or every format in it has priority (directly or transitively) over one of them — DROID would
 * report exactly those, since the synthesized file also satisfies their stronger signatures.
 * Fillers for wildcards and gaps: 00, 20, FF; per signature the generator keeps the filler whose
 * file gets the fewest candidates (never looking at the expected answer).
 */
const FILLERS = [0x00, 0x20, 0xff];

let dir: string;
let signatures: SignatureSet;
let containers: ContainerSignatureSet;
let identifier: Identifier;
let outranks: (winner: string, loser: string) => boolean;

beforeAll(async () => {
  signatures = await loadSignatureFile(DROID_FILE);
  containers = await loadContainerSignatures(CONTAINER_FILE);
  identifier = createIdentifier({ signatures, containers });
  dir = await tempDir();
  const byId = new Map(signatures.formats.map((f) => [f.id, f]));
  const over = new Map<string, Set<string>>();
  for (const format of signatures.formats) {
    const set = over.get(format.puid) ?? new Set<string>();
    for (const id of format.priorityOver) set.add(byId.get(id)?.puid ?? "");
    over.set(format.puid, set);
  }
  outranks = (winner, loser) => {
    const seen = new Set<string>();
    const stack = [winner];
    while (stack.length > 0) {
      const puid = stack.pop()!;
      for (const next of over.get(puid) ?? []) {
        if (next === loser) return true;
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    return false;
  };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function answers(result: Identification): string[] {
  return result.puid ? [result.puid, ...(result.alternatives ?? []).map((a) => a.puid)] : [];
}

function correct(result: Identification, expected: string[]): boolean {
  const got = answers(result);
  if (got.length === 0) return false;
  const same = got.length === expected.length && got.every((p) => expected.includes(p));
  return same || got.every((p) => expected.some((e) => p === e || outranks(p, e)));
}

async function bestOf(name: string, make: (filler: number) => Buffer): Promise<Identification> {
  let best: Identification | null = null;
  for (const filler of FILLERS) {
    const path = join(dir, `${name}-${filler}`);
    await writeFile(path, make(filler));
    const result = await identifier.identify(path);
    if (best === null || (answers(result).length || 99) < (answers(best).length || 99)) best = result;
  }
  return best!;
}

describe("synthesized files for every signature of DROID V119 / container 20240715", () => {
  it("internal signatures: >= 98% identified as their own format with one answer", async () => {
    await mkdir(join(dir, "internal"));
    const formatsBySignature = new Map<number, string[]>();
    for (const f of signatures.formats) {
      for (const id of f.signatureIds)
        formatsBySignature.set(id, [...(formatsBySignature.get(id) ?? []), f.puid]);
    }
    const failures: string[] = [];
    let total = 0;
    for (const signature of signatures.signatures) {
      const expected = formatsBySignature.get(signature.id);
      if (!expected) continue;
      total++;
      const result = await bestOf(`internal/${signature.id}`, (filler) => synthesize(signature, filler));
      if (!correct(result, expected))
        failures.push(
          `sig ${signature.id} (${expected.join(",")}) -> ${answers(result).join(",") || "none"}`,
        );
    }
    const rate = (total - failures.length) / total;
    console.log(`internal signatures: ${total - failures.length}/${total} = ${(rate * 100).toFixed(2)}%`);
    console.log(`failures:\n  ${failures.join("\n  ")}`);
    expect(total).toBeGreaterThan(2000);
    expect(rate).toBeGreaterThanOrEqual(0.98);
  });

  it("container signatures: >= 98% identified as their own format with one answer", async () => {
    await mkdir(join(dir, "container"));
    const failures: string[] = [];
    let total = 0;
    for (const signature of containers.signatures) {
      if (signature.puids.length === 0) continue;
      total++;
      const result = await bestOf(`container/${signature.id}`, (filler) =>
        synthesizeContainer(signature.containerType, signature.files, filler),
      );
      if (!correct(result, signature.puids) || result.basis !== "container") {
        failures.push(
          `container ${signature.id} (${signature.puids.join(",")}) -> ${answers(result).join(",") || "none"} [${result.basis}]`,
        );
      }
    }
    const rate = (total - failures.length) / total;
    console.log(`container signatures: ${total - failures.length}/${total} = ${(rate * 100).toFixed(2)}%`);
    console.log(`failures:\n  ${failures.join("\n  ")}`);
    expect(total).toBeGreaterThan(250);
    expect(rate).toBeGreaterThanOrEqual(0.98);
  });
});
