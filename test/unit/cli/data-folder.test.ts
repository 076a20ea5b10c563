import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, describe, expect, it } from "vitest";
import { ensureDataFolder } from "../../../functions/cli/data-folder.ts";
import { openHomeDatabase } from "../../../functions/cli/home-database.ts";
import { tempDir } from "../../helpers/fixtures.ts";

// A new home's data folder is created (initdb) by a short-lived child process before the owner
// opens it, so initdb's memory is not kept by the owner; an existing one must never be created again.
const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

async function ownerStopped(home: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const text = await readFile(path.join(home, "db-owner.json"), "utf8").catch(() => null);
    if (text === null) return;
    if (Date.now() > deadline) throw new Error(`the owner of ${home} did not stop`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const createdLines = async (home: string) =>
  (await readFile(path.join(home, "db-owner.log"), "utf8"))
    .split("\n")
    .filter((l) => l.includes("created the data folder"));

describe("a home's data folder", () => {
  it("is created for a fresh home and usable; the next owner opens it as it is", async () => {
    const home = await tempDir("fresh-home");
    made.push(home);
    const env = { ...process.env, STEPMATICA_DB_IDLE_SECONDS: "1" };
    const first = await openHomeDatabase(home, { env });
    try {
      await first.query("create table kept (id int primary key, body text)");
      await first.query("insert into kept values (1, 'first owner')");
    } finally {
      await first.close();
    }
    expect((await readdir(home)).filter((name) => name.startsWith("db.new"))).toEqual([]);
    expect(await readFile(path.join(home, "db", "PG_VERSION"), "utf8")).toMatch(/^\d+\n$/);
    expect(await createdLines(home)).toHaveLength(1);

    await ownerStopped(home);
    const second = await openHomeDatabase(home, { env });
    try {
      expect((await second.query<{ body: string }>("select body from kept")).rows).toEqual([
        { body: "first owner" },
      ]);
    } finally {
      await second.close();
    }
    expect(await createdLines(home), "the second owner must not create the folder again").toHaveLength(1);
    await ownerStopped(home);
  }, 180_000);

  it("is created whole in place of an empty folder and a half-made one left by a killed creation", async () => {
    const root = await tempDir("data-folder");
    made.push(root);
    const dataDir = path.join(root, "db");
    await mkdir(dataDir);
    const halfMade = `${dataDir}.new-${process.pid + 1}`; // its owner was killed while initdb ran
    await mkdir(halfMade);
    await writeFile(path.join(halfMade, "PG_VERSION"), "17\n");
    expect(await ensureDataFolder(dataDir)).toBe("created");
    expect(await readdir(root)).toEqual(["db"]);
    const db = new PGlite(dataDir);
    try {
      await db.exec("create table t (n int); insert into t values (42)");
    } finally {
      await db.close();
    }
    expect(await ensureDataFolder(dataDir)).toBe("found");
    const again = new PGlite(dataDir);
    try {
      expect((await again.query<{ n: number }>("select n from t")).rows).toEqual([{ n: 42 }]);
    } finally {
      await again.close();
    }
  }, 180_000);

  it("is not created over a folder that holds something else", async () => {
    const root = await tempDir("data-folder-taken");
    made.push(root);
    const dataDir = path.join(root, "db");
    await mkdir(dataDir);
    await writeFile(path.join(dataDir, "notes.txt"), "not a database\n");
    await expect(ensureDataFolder(dataDir)).rejects.toThrow(
      `${dataDir} holds 1 file(s) but no database (no PG_VERSION)`,
    );
    expect(await readdir(dataDir)).toEqual(["notes.txt"]);
    expect(await readdir(root)).toEqual(["db"]);
  }, 180_000);
});
