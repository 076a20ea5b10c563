import { expect, it } from "vitest";
import { openAdvice } from "../../../functions/cli/home-database.ts";
import { FULL_BELOW_BYTES } from "../../../functions/cli/owner-watch-rules.mjs";

// A data folder its owner could not open: on a full file system (PostgreSQL cannot replay its WAL)
// the advice is to free space; moving the folder aside would start an empty database for nothing.
it("tells an operator to free space when the data folder's file system is full", () => {
  expect(openAdvice("/h/db", 3 * 2 ** 20)).toBe(
    "the file system of /h/db is full (3 MB free): free some space, then try again",
  );
  expect(openAdvice("/h/db", FULL_BELOW_BYTES)).toMatch(/^restore \/h\/db from a backup, or move it aside/);
  expect(openAdvice("/h/db", null)).toMatch(/^restore \/h\/db from a backup/);
});
