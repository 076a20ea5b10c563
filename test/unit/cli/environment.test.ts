import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stepmatica } from "../../helpers/cli.ts";
import { tempDir } from "../../helpers/fixtures.ts";

let root: string;
beforeAll(async () => {
  root = await tempDir("cli-env");
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("the command's environment", () => {
  it("takes DATABASE_URL and REDIS_URL set but empty as unset: the embedded database, no server", async () => {
    const home = path.join(root, "home");
    const result = await stepmatica(["list", "--json"], {
      STEPMATICA_HOME: home,
      DATABASE_URL: "",
      REDIS_URL: "",
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.json).toMatchObject({ units: [] });
    expect(existsSync(path.join(home, "db")), "PGlite's folder in STEPMATICA_HOME").toBe(true);
  }, 180_000); // PGlite's first start (initdb) is slow on a busy machine

  it("takes STEPMATICA_HOME set but empty as unset: ./.stepmatica under the working folder", async () => {
    const result = await stepmatica(["list", "--json"], { STEPMATICA_HOME: "", DATABASE_URL: "" }, root);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(path.join(root, ".stepmatica", "db"))).toBe(true);
  }, 180_000);
});
