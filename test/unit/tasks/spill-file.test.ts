import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SpillFile } from "../../../functions/tasks/spill-file.ts";

const folder = mkdtempSync(path.join(tmpdir(), "spill-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("SpillFile", () => {
  it("gives back what was written, in order, with characters split across its reads kept whole", () => {
    const spill = new SpillFile(path.join(folder, "a.partial"));
    // 1 MiB less one byte of ASCII, then two-, three- and four-byte characters: the first read
    // of 1 MiB ends inside "é" (and later reads inside others).
    const pieces = ["x".repeat((1 << 20) - 1), "é", "€😀".repeat(300_000), "<end/>"];
    for (const piece of pieces) spill.sink(piece);
    const chunks: string[] = [];
    spill.replay((chunk) => chunks.push(chunk));
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join("")).toBe(pieces.join(""));
    expect(chunks.join("")).not.toContain("\uFFFD");
    spill.remove();
  });

  it("is deleted by remove(), which may be called again", () => {
    const file = path.join(folder, "b.partial");
    const spill = new SpillFile(file);
    spill.sink("<mets:fileSec/>");
    expect(existsSync(file)).toBe(true);
    spill.remove();
    spill.remove();
    expect(existsSync(file)).toBe(false);
  });

  it("replaces a leftover of the same name (a write repeated after a crash)", () => {
    const file = path.join(folder, "c.partial");
    const first = new SpillFile(file);
    first.sink("left over from a run that crashed");
    const second = new SpillFile(file);
    second.sink("fresh");
    const chunks: string[] = [];
    second.replay((chunk) => chunks.push(chunk));
    expect(chunks.join("")).toBe("fresh");
    second.remove();
    first.remove();
  });
});
