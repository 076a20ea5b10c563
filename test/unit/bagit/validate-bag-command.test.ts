/** `stepmatica validate-bag DIR` exit codes and output. */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { validateBagCommand } from "../../../functions/cli/commands/validate-bag.ts";
import { craftBag, removeTempDirs, tempDir } from "./helpers.ts";

afterEach(removeTempDirs);

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on("data", (chunk: Buffer) => out.push(chunk));
  stderr.on("data", (chunk: Buffer) => err.push(chunk));
  const code = await validateBagCommand(argv, { stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

describe("validate-bag command", () => {
  it("exits 0 and prints a summary for a valid bag", async () => {
    const dir = await craftBag();
    const result = await run([dir]);
    expect(result).toEqual({ code: 0, stdout: `valid: ${dir} (BagIt 1.0, 2 files)\n`, stderr: "" });
  });

  it("exits 1 with one '<file>: <rule>: <message>' line per problem", async () => {
    const dir = await craftBag({ bagInfo: null });
    await writeFile(path.join(dir, "data", "a.txt"), "changed");
    await writeFile(path.join(dir, "data", "extra.txt"), "extra");
    const result = await run([dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toContain(
      "data/extra.txt: payload-not-in-manifest: payload file not listed in manifest-sha256.txt",
    );
    expect(
      lines.some((line) => line.startsWith("data/a.txt: checksum-mismatch: sha256 in manifest-sha256.txt")),
    ).toBe(true);
    expect(lines.at(-1)).toBe(`invalid: ${dir} (2 problems)`);
  });

  it("exits 2 on usage errors", async () => {
    const missing = await run([]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing DIR/);
    const dir = await tempDir();
    const notDir = await run([path.join(dir, "nothing-here")]);
    expect(notDir.code).toBe(2);
    expect(notDir.stderr).toMatch(/no such directory/);
    await writeFile(path.join(dir, "file.txt"), "x");
    expect((await run([path.join(dir, "file.txt")])).code).toBe(2);
    expect((await run([dir, dir])).code).toBe(2);
    expect((await run(["--bogus", dir])).code).toBe(2);
  });

  it("exits 1 for a directory that is not a bag", async () => {
    const result = await run([await tempDir()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("bagit.txt: bag-declaration:");
  });
});
