import { mkdir, readdir, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeTree } from "../../../functions/core/remove-tree.ts";
import { exists } from "../../../functions/tasks/fs-walk.ts";
import { tempDir } from "../../helpers/fixtures.ts";

let dir: string;
beforeAll(async () => {
  dir = await tempDir("remove-tree");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("removeTree", () => {
  it("removes a tree as rm -rf does, links removed and never followed", async () => {
    const outside = path.join(dir, "outside");
    await mkdir(outside);
    await writeFile(path.join(outside, "kept.txt"), "kept");
    const tree = path.join(dir, "tree");
    await mkdir(path.join(tree, "a", "b", "c"), { recursive: true });
    await mkdir(path.join(tree, "empty"));
    await writeFile(path.join(tree, "a", "b", "c", "deep.txt"), "deep");
    await writeFile(path.join(tree, "line\nbreak.txt"), "odd name");
    for (let i = 0; i < 100; i++) await writeFile(path.join(tree, "a", `f${i}.txt`), String(i));
    await symlink(outside, path.join(tree, "a", "to-folder"));
    await symlink(path.join(outside, "kept.txt"), path.join(tree, "to-file"));
    await symlink(path.join(dir, "nowhere"), path.join(tree, "dangling"));

    await removeTree(tree);

    expect(await exists(tree)).toBe(false);
    expect(await readdir(outside)).toEqual(["kept.txt"]);
  });

  it("removes a link given as the target, not the folder it points to", async () => {
    const folder = path.join(dir, "pointed-at");
    await mkdir(folder);
    await writeFile(path.join(folder, "kept.txt"), "kept");
    const link = path.join(dir, "link-to-folder");
    await symlink(folder, link);
    await removeTree(link);
    expect(await exists(link)).toBe(false);
    expect(await readdir(folder)).toEqual(["kept.txt"]);
  });

  it("takes a missing target as done and removes a file given instead of a folder", async () => {
    await expect(removeTree(path.join(dir, "never-made"))).resolves.toBeUndefined();
    const file = path.join(dir, "single.txt");
    await writeFile(file, "x");
    await removeTree(file);
    expect(await exists(file)).toBe(false);
  });
});
