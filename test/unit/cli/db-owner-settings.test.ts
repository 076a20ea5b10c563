import { rm } from "node:fs/promises";
import { afterAll, expect, it } from "vitest";
import { openHomeDatabase } from "../../../functions/cli/home-database.ts";
import { tempDir } from "../../helpers/fixtures.ts";

// The home's database owner starts PostgreSQL with settings measured for the embedded database
// (functions/cli/db-owner.ts): shared buffers of 64 MB (a 200,000-file transfer spent a third more
// of the owner's CPU with 16 MB; the default of 128 MB costs memory that WebAssembly never gives
// back) and a random page cost for a data folder in the OS's cache.
let home: string;
afterAll(async () => {
  if (home) await rm(home, { recursive: true, force: true });
});

it("the owner serves the home's database with its memory and planner settings", async () => {
  home = await tempDir("home-settings");
  const sql = await openHomeDatabase(home);
  try {
    const setting = async (name: string) =>
      (await sql.query<{ value: string }>("select current_setting($1) as value", [name])).rows[0]?.value;
    expect(await setting("shared_buffers")).toBe("64MB");
    expect(await setting("random_page_cost")).toBe("1.1");
  } finally {
    await sql.close().catch(() => {});
  }
}, 60_000);
