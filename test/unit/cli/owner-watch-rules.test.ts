import { describe, expect, it } from "vitest";
import { FULL_BELOW_BYTES, stopReason } from "../../../functions/cli/owner-watch-rules.mjs";

// When the owner's watch thread ends the database owner (functions/cli/owner-watch.mjs): the folder
// removed, moved or replaced at once; a stall only when the file system is full, so that a long
// statement on a healthy disk is never cut short.
const opened = { dev: 64768, ino: 1234 };
const folder = (now: { dev: number; ino: number } | null) => ({ now, opened, path: "/home/x/db" });
const plenty = () => 10 * FULL_BELOW_BYTES;
const none = () => 0;

describe("the owner's watch", () => {
  it("stops the owner when its data folder is gone or is another one", () => {
    expect(stopReason(folder(null), 0, 10_000, plenty)).toMatch(/removed, moved or replaced/);
    expect(stopReason(folder({ dev: 64768, ino: 99 }), 0, 10_000, plenty)).toMatch(/replaced/);
    expect(stopReason(folder({ dev: 1, ino: 1234 }), 0, 10_000, plenty)).toMatch(/replaced/);
  });

  it("leaves a busy owner alone unless its file system is full", () => {
    expect(stopReason(folder(opened), 9_999, 10_000, none)).toBeNull();
    expect(stopReason(folder(opened), 60_000, 10_000, plenty)).toBeNull();
    expect(stopReason(folder(opened), 12_000, 10_000, none)).toMatch(
      /not answered for 12 s .* full \(0 bytes free\)/,
    );
    expect(stopReason(folder(opened), 12_000, 10_000, () => FULL_BELOW_BYTES - 1)).not.toBeNull();
    expect(stopReason(folder(opened), 12_000, 10_000, () => FULL_BELOW_BYTES)).toBeNull();
  });

  it("asks for the free space only once the owner has stalled", () => {
    let asked = 0;
    stopReason(folder(opened), 1_000, 10_000, () => ++asked);
    expect(asked).toBe(0);
  });
});
