import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as identify from "../../../functions/identify/index.ts";
import { loadMutant, MUTATIONS } from "./mutants.ts";
import { buildCorpus } from "./real-tools/corpus.ts";
import type { CorpusFile } from "./real-tools/make.ts";
import { CONTAINER_FILE, DROID_FILE, tempDir } from "./samples.ts";
import { SYNTAX_FILES, writeSyntaxCases } from "./syntax-cases.ts";

/**
 * The main claim about identification: files made by real tools (ffmpeg, sharp/libvips, Ghostscript,
 * 7-Zip, tar, gzip, bzip2, xz, zip, Python's writers, LibreOffice) get the PUID PRONOM documents for
 * what the tool was asked to write (the table with the reason for each is in real-tools/*.ts), as
 * the only answer. A missing tool fails the test. Then each deliberate matcher bug, applied to a copy
 * of functions/identify, must make these checks fail.
 */
let dir: string;
let corpus: CorpusFile[];
let syntaxFile: string;

beforeAll(async () => {
  dir = await tempDir();
  corpus = await buildCorpus(dir);
  syntaxFile = await writeSyntaxCases(dir);
}, 15 * 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every identification check, run with one copy of the engine: the list of wrong answers. */
async function identificationFailures(engine: typeof identify): Promise<string[]> {
  const official = engine.createIdentifier({
    signatures: await engine.loadSignatureFile(DROID_FILE),
    containers: await engine.loadContainerSignatures(CONTAINER_FILE),
  });
  const failures: string[] = [];
  const results = await official.identifyMany(corpus.map((file) => join(dir, file.name)));
  corpus.forEach((file, i) => {
    const result = results[i]!;
    const answers = [result.puid ?? "none", ...(result.alternatives ?? []).map((a) => a.puid)];
    if (answers.join(" ") !== file.expected) {
      failures.push(`${file.name} (${file.tool}): expected ${file.expected}, got ${answers.join(" or ")}`);
    }
  });
  const syntax = engine.createIdentifier({
    signatures: await engine.loadSignatureFile(syntaxFile),
    containers: null,
  });
  for (const file of SYNTAX_FILES) {
    const result = await syntax.identify(join(dir, file.name));
    if (result.puid !== file.expected)
      failures.push(`${file.name}: expected ${file.expected}, got ${result.puid}`);
  }
  return failures;
}

describe("files made by real tools get the PUID PRONOM documents", () => {
  it("every file, as the only answer, with DROID V119 and container signatures 20240715", async () => {
    expect(corpus.length).toBeGreaterThanOrEqual(50);
    expect(await identificationFailures(identify)).toEqual([]);
  });

  it("and so does the shipped identifier the pipeline uses", async () => {
    const { signatures, containers } = await identify.loadSignatureFolder();
    const shipped = identify.createIdentifier({ signatures, containers });
    const results = await shipped.identifyMany(corpus.map((file) => join(dir, file.name)));
    expect(results.map((r) => r.puid ?? "none")).toEqual(corpus.map((file) => file.expected));
  });
});

describe("mutation check: each deliberate matcher bug makes an identification check fail", () => {
  it("an unchanged copy of the engine passes every check (the copying itself breaks nothing)", async () => {
    const copy = await loadMutant({ name: "none", file: "index.ts", from: "export", to: "export" });
    expect(await identificationFailures(copy)).toEqual([]);
  });

  it.each(MUTATIONS.map((mutation) => [mutation.name, mutation] as const))("%s", async (_name, mutation) => {
    const mutant = await loadMutant(mutation);
    const failures = await identificationFailures(mutant);
    console.log(`mutant "${mutation.name}": ${failures.length} wrong answers\n  ${failures.join("\n  ")}`);
    expect(failures.length, "the mutant passed every identification check").toBeGreaterThan(0);
  });
});
