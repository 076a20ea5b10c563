import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FolderObjectStore } from "../../../functions/adapters/local/folder-object-store.ts";
import { writeBag } from "../../../functions/bagit/index.ts";
import type { TaskContext } from "../../../functions/core/task-module.ts";
import type { PutOptions, StoredObject } from "../../../functions/ports/object-store.ts";
import { aipName, bagWorkingPath } from "../../../functions/tasks/aip-layout.ts";
import { dipWorkingPath, uploadDip } from "../../../functions/tasks/dip.ts";
import { storeAip } from "../../../functions/tasks/store-aip.ts";
import { tempDir } from "../../helpers/fixtures.ts";
import { UnitState } from "./context.ts";
import { put } from "./fixtures.ts";

let root: string;
beforeEach(async () => {
  root = await tempDir("store-aip");
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A unit whose bag (two payload files and the tag files) waits in the working folder, uncompressed. */
async function unitWithBag() {
  const workRoot = path.join(root, "work");
  const state = new UnitState(path.join(workRoot, "sips", "unit"), { aip_compression: "none" });
  const bagDir = path.join(workRoot, ...bagWorkingPath(state.unit).split("/"));
  await put(path.join(bagDir, "data", "objects", "a.txt"), "alpha\n");
  await put(path.join(bagDir, "data", "objects", "sub", "b.txt"), "beta\n");
  await writeBag(bagDir, { baggingDate: new Date(0) });
  return { state, workRoot };
}

/** The folder store, counting the objects it is asked to read again; `after` changes what puts report. */
function countingStore(dir: string, after: (stored: StoredObject) => Promise<StoredObject> = async (s) => s) {
  const inner = new FolderObjectStore(dir);
  const reRead: string[] = [];
  const store: TaskContext["objects"] = Object.assign(Object.create(inner) as FolderObjectStore, {
    putFile: async (key: string, local: string, options?: PutOptions) =>
      after(await inner.putFile(key, local, options)),
    sha256: async (key: string) => {
      reRead.push(key);
      return inner.sha256(key);
    },
  });
  return { store, reRead };
}

describe("store-aip", () => {
  it("a folder store's own hash of the stored bytes is the fixity check: no object is read a second time", async () => {
    const { state, workRoot } = await unitWithBag();
    const out = path.join(root, "aips");
    const { store, reRead } = countingStore(out);
    const { outcome } = await state.run(storeAip, [], { workRoot, objects: store });

    expect(outcome.exitCode).toBe(0);
    expect(reRead).toEqual([]);
    const [event] = outcome.events!;
    // bagit.txt, bag-info.txt, manifest and tag manifest, two payload files.
    expect(event).toMatchObject({
      type: "fixity check",
      outcome: "success",
      outcomeDetail: "6 object(s) match",
    });
    expect(event!.detail).toMatch(
      /6 stored object\(s\) .*: 6 hashed by the store as it stored them, 0 read again/,
    );
    const name = aipName(state.unit);
    expect(await readFile(path.join(out, name, "data", "objects", "sub", "b.txt"), "utf8")).toBe("beta\n");
  });

  it("a store that did not read its bytes back is re-read, and a changed object fails the check by name", async () => {
    const { state, workRoot } = await unitWithBag();
    const out = path.join(root, "aips");
    const name = aipName(state.unit);
    const changedKey = `${name}/data/objects/a.txt`;
    // Like S3: the put reports the local file's digest; here the stored object then changes.
    const { store, reRead } = countingStore(out, async (stored) => {
      if (stored.key === changedKey) await writeFile(path.join(out, ...changedKey.split("/")), "changed\n");
      return { key: stored.key, size: stored.size, sha256: stored.sha256 };
    });
    const { outcome, stderr } = await state.run(storeAip, [], { workRoot, objects: store });

    expect(outcome.exitCode).toBe(1);
    expect(reRead).toHaveLength(6);
    const [event] = outcome.events!;
    expect(event).toMatchObject({ type: "fixity check", outcome: "failure" });
    expect(event!.detail).toMatch(/0 hashed by the store as it stored them, 6 read again after storing/);
    expect(event!.outcomeDetail).toMatch(
      new RegExp(`^${changedKey}: stored [0-9a-f]{64}, expected [0-9a-f]{64}$`),
    );
    expect(stderr.join("\n")).toMatch(`fixity check failed after storing: ${changedKey}`);
  });
});

describe("upload-dip", () => {
  async function unitWithDip() {
    const workRoot = path.join(root, "work");
    const state = new UnitState(path.join(workRoot, "sips", "unit"), { dip: true });
    const staging = path.join(workRoot, ...dipWorkingPath(state.unit).split("/"));
    await put(path.join(staging, "objects", "a.mp3"), "access copy\n");
    await put(path.join(staging, "METS.xml"), "<mets/>\n");
    return { state, workRoot };
  }

  it("stores the staged DIP under dips/ without reading a folder store's objects again", async () => {
    const { state, workRoot } = await unitWithDip();
    const out = path.join(root, "aips");
    const { store, reRead } = countingStore(out);
    const { outcome, stdout } = await state.run(uploadDip, [], { workRoot, objects: store });
    expect(outcome.exitCode).toBe(0);
    expect(reRead).toEqual([]);
    expect(stdout.join("\n")).toMatch(/; the store hashed each file as it stored it$/);
    const stored = path.join(out, "dips", aipName(state.unit), "objects", "a.mp3");
    expect(await readFile(stored, "utf8")).toBe("access copy\n");
  });

  it("re-reads a store that did not hash what it stored, and fails naming an object that changed", async () => {
    const { state, workRoot } = await unitWithDip();
    const out = path.join(root, "aips");
    const changedKey = `dips/${aipName(state.unit)}/objects/a.mp3`;
    const { store, reRead } = countingStore(out, async (stored) => {
      if (stored.key === changedKey) await writeFile(path.join(out, ...changedKey.split("/")), "changed\n");
      return { key: stored.key, size: stored.size, sha256: stored.sha256 };
    });
    const { outcome, stderr, stdout } = await state.run(uploadDip, [], { workRoot, objects: store });
    expect(outcome.exitCode).toBe(1);
    expect(reRead).toHaveLength(2);
    expect(stderr.join("\n")).toMatch(`upload-dip: fixity check failed after storing: ${changedKey}: stored`);
    expect(stdout.join("\n")).toMatch(/; 2 object\(s\) read back and compared with the files sent$/);
  });
});
