import { describe, expect, it } from "vitest";
import { planPaths } from "../../../functions/tasks/change-filenames.ts";
import { planFolderNames, sanitizeName } from "../../../functions/tasks/sanitize-name.ts";

describe("sanitizeName", () => {
  it("keeps letters of any script, digits, spaces and ordinary punctuation", () => {
    for (const name of [
      "photo one.png",
      "Überblick – notes.txt",
      "日本語.txt",
      "Copy (2).doc",
      "a,b=c+d%e.txt",
    ])
      expect(sanitizeName(name)).toBe(name);
  });
  it("replaces control characters, shell metacharacters, a leading dash and undecodable bytes", () => {
    expect(sanitizeName("new\nline.txt")).toBe("new_line.txt");
    expect(sanitizeName("a$b`c;d|e&f.txt")).toBe("a_b_c_d_e_f.txt");
    expect(sanitizeName("what?*.txt")).toBe("what__.txt");
    expect(sanitizeName("--rf.txt")).toBe("__rf.txt");
    expect(sanitizeName(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]))).toBe("caf_.txt");
  });
  it("cuts names over 255 bytes, keeping the extension and adding a hash", () => {
    const long = `${"é".repeat(200)}.txt`;
    const safe = sanitizeName(long);
    expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(255);
    expect(safe).toMatch(/^é+_[0-9a-f]{8}\.txt$/);
    expect(sanitizeName(long)).toBe(safe);
  });
});

describe("planFolderNames / planPaths", () => {
  it("never lets two cleaned names collide, and the result does not depend on order", () => {
    const names = ["a?.txt", "a*.txt", "a_.txt", "A|.txt"];
    const plan = planFolderNames(names);
    const values = [...plan.values()].map((v) => v.toLowerCase());
    expect(new Set(values).size).toBe(names.length);
    expect(plan.get("a_.txt")).toBe("a_.txt"); // a name that is already safe keeps it
    expect(planFolderNames([...names].reverse())).toEqual(plan);
  });
  it("renames folders once for all their files and keeps the top folder", () => {
    const plan = planPaths(["objects/bad:dir/one.txt", "objects/bad:dir/two.txt", "objects/ok.txt"]);
    expect(plan.get("objects/bad:dir/one.txt")).toBe("objects/bad_dir/one.txt");
    expect(plan.get("objects/bad:dir/two.txt")).toBe("objects/bad_dir/two.txt");
    expect(plan.get("objects/ok.txt")).toBe("objects/ok.txt");
  });
});
