import { describe, expect, it } from "vitest";
import { checkSymlinkTarget, safeEntryPath } from "../../../functions/archives/entry-path.ts";
import { EntryPlanner } from "../../../functions/archives/entry-planner.ts";
import { ArchiveError } from "../../../functions/archives/errors.ts";

const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof ArchiveError ? error.code : "other";
  }
  return "accepted";
};

describe("safeEntryPath", () => {
  it("normalizes harmless forms", () => {
    expect(safeEntryPath("./a//b/./c.txt", "x.tar")).toBe("a/b/c.txt");
    expect(safeEntryPath("dir\\file.txt", "x.zip")).toBe("dir/file.txt");
    expect(safeEntryPath("./", "x.tar")).toBeNull();
    expect(safeEntryPath("a..b/..c", "x.tar")).toBe("a..b/..c");
  });

  it.each([["../a"], ["a/../../b"], ["/etc/passwd"], ["C:\\x"], ["c:x"], ["a\u0000b"], ["..\\a"]])(
    "refuses %s",
    (name) => {
      expect(codeOf(() => safeEntryPath(name, "x.tar"))).toBe("unsafe-path");
    },
  );
});

describe("checkSymlinkTarget", () => {
  it.each([
    ["a/link", "../b", "accepted"],
    ["link", ".", "accepted"],
    ["a/b/link", "../../c", "accepted"],
    ["link", "..", "link-escape"],
    ["a/link", "../../b", "link-escape"],
    ["link", "/etc", "link-escape"],
    ["link", "", "link-escape"],
  ])("%s -> %s: %s", (linkPath, target, expected) => {
    expect(codeOf(() => checkSymlinkTarget(linkPath, target, "x.tar"))).toBe(expected);
  });
});

describe("EntryPlanner", () => {
  it("is deterministic: same entries, same placements", () => {
    const run = () => {
      const planner = new EntryPlanner("x.tar");
      const placed = ["A/x", "a/y", "a", "File.txt", "file.txt", "FILE.TXT"].map(
        (name) => planner.place(name, "file").actual,
      );
      return { placed, renamed: planner.renamed };
    };
    const first = run();
    expect(first.placed).toEqual(["A/x", "a~2/y", "a~3", "File.txt", "file~2.txt", "FILE~3.TXT"]);
    expect(run()).toEqual(first);
  });

  it("reports a duplicate as replacing, and refuses paths through a link", () => {
    const planner = new EntryPlanner("x.tar");
    expect(planner.place("same.txt", "file")).toEqual({ actual: "same.txt", replaces: undefined });
    expect(planner.place("same.txt", "file")).toEqual({ actual: "same.txt", replaces: "file" });
    planner.place("l", "symlink");
    expect(codeOf(() => planner.place("l/inside.txt", "file"))).toBe("link-escape");
  });
});
