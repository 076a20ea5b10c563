import { access, rm } from "node:fs/promises";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identifyCommand } from "../../../functions/cli/commands/identify.ts";
import {
  createIdentifier,
  type Identifier,
  loadContainerSignatures,
  loadSignatureFile,
} from "../../../functions/identify/index.ts";
import { CONTAINER_FILE, DROID_FILE, tempDir, writeSamples } from "./samples.ts";

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

let dir: string;
let samples: { path: string; puid: string }[];
let pronom: Identifier;

beforeAll(async () => {
  await access(DROID_FILE).catch(() => {
    throw new Error(
      `PRONOM signature file missing: ${DROID_FILE} (expected ../shared/pronom beside the checkout)`,
    );
  });
  dir = await tempDir();
  samples = await writeSamples(dir);
  pronom = createIdentifier({
    signatures: await loadSignatureFile(DROID_FILE),
    containers: await loadContainerSignatures(CONTAINER_FILE),
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("acceptance: generated samples get their PRONOM ids", () => {
  it("with DROID V119 and container signatures 20240715", async () => {
    const results = await pronom.identifyMany(samples.map((s) => s.path));
    expect(results.map((r) => [r.path, r.puid, r.alternatives ?? null])).toEqual(
      samples.map((s) => [s.path, s.puid, null]),
    );
    expect(pronom.tool.signatureVersion).toContain("V119");
  });

  it("with the built-in table (no signature files)", async () => {
    const builtin = createIdentifier();
    const results = await builtin.identifyMany(samples.map((s) => s.path));
    expect(results.map((r) => [r.path, r.puid])).toEqual(samples.map((s) => [s.path, s.puid]));
    const docx = results.find((r) => r.path.endsWith(".docx"))!;
    expect(docx).toMatchObject({ basis: "container", format: "Microsoft Word for Windows" });
  });

  it("through the CLI command with --json and the signature files, recursing into the folder", async () => {
    const out = sink();
    const err = sink();
    const code = await identifyCommand(
      ["--json", "--signatures", DROID_FILE, "--container-signatures", CONTAINER_FILE, dir],
      { stdout: out.stream, stderr: err.stream },
    );
    expect(code).toBe(0);
    const lines = out
      .text()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(samples.length);
    for (const sample of samples) {
      const line = lines.find((l) => l.path === sample.path);
      expect(line).toMatchObject({ puid: sample.puid });
      expect(Object.keys(line).sort()).toEqual(["basis", "format", "mime", "path", "puid", "version"]);
    }
  });

  it("CLI without --json prints a table from the built-in table, and usage errors exit 2", async () => {
    const out = sink();
    const err = sink();
    expect(await identifyCommand([dir], { stdout: out.stream, stderr: err.stream })).toBe(0);
    expect(out.text()).toMatch(/^PUID\s+FORMAT\s+BASIS\s+PATH/);
    expect(out.text()).toContain("fmt/483");
    expect(await identifyCommand([], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(await identifyCommand(["--bogus", dir], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(await identifyCommand(["--signatures"], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(
      await identifyCommand(["--signatures", `${dir}/none.xml`, dir], {
        stdout: out.stream,
        stderr: err.stream,
      }),
    ).toBe(2);
    expect(err.text()).toContain("none.xml");
  });
});
