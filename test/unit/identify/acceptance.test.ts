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
import { CONTAINER_FILE, DROID_FILE, shippedIdentifier, tempDir, writeSamples } from "./samples.ts";

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
      `PRONOM signature file missing: ${DROID_FILE} (shipped in functions/identify/signatures)`,
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

  it("with the shipped official files (no signature files named)", async () => {
    const shipped = await shippedIdentifier();
    expect(shipped.tool.signatureVersion).toBe(
      "DROID_SignatureFile_V119.xml v119 (2024-07-08); container-signature-20240715.xml v38 (2024-07-15)",
    );
    const results = await shipped.identifyMany(samples.map((s) => s.path));
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

  it("CLI without options prints a table from the shipped PRONOM files, and usage errors exit 2", async () => {
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
