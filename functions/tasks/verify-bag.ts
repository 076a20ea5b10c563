import { mkdir, readdir, readFile, rename, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import { extractArchive, isArchiveError } from "../archives/index.ts";
import { bagInfoValues, decodeTagText, parseBagInfo, readDeclaration, validateBag } from "../bagit/index.ts";
import type { TaskContext, TaskModule } from "../core/task-module.ts";
import {
  BAG_TAG_FOLDER,
  bagRootInPackage,
  soleObject,
  transferPathOfBagPath,
  writeBagLayout,
} from "./bag-layout.ts";
import { fileEvent } from "./events.ts";
import { exists } from "./fs-walk.ts";

/** The validated bag while its files move into the transfer layout (its presence means "validated"). */
const MOVING = ".bag";
const EXTRACTED = ".bag-extracted";

/**
 * BagIt transfers (a folder with bagit.txt at its top, or a zip/tar whose top or single top folder
 * holds bagit.txt) are validated before anything else is done to them: any problem rejects the
 * transfer naming the file, the RFC rule and the reason. A valid bag's payload (data/) becomes the
 * transfer's content and its tag files go to logs/bagit/, where "Verify transfer checksums" reads
 * the manifests again for per-file fixity events. Anything else passes through untouched.
 */
export const verifyBag: TaskModule = {
  name: "verify-bag",
  command: "verify-bag (stepmatica BagIt validator, RFC 8493)",
  async run(ctx) {
    const unit = ctx.unitPath;
    const moving = path.join(unit, MOVING);
    const events = [];
    if (!(await exists(moving))) {
      if (await exists(path.join(unit, ...BAG_TAG_FOLDER.split("/"), "bagit.txt"))) {
        ctx.stdout("bag already validated and restructured");
        return { exitCode: 0, output: { bag: true }, ...(await externalIdentifierOf(ctx)) };
      }
      const found = await locateBag(ctx);
      if (found === "refused") return { exitCode: 1 };
      if (found === null) {
        ctx.stdout("not a BagIt transfer: nothing to validate");
        return { exitCode: 0, output: { bag: false } };
      }
      const result = await validateBag(found.root);
      for (const w of result.warnings) ctx.stdout(`warning: ${w.file}: ${w.message} (${w.rule})`);
      for (const p of result.problems) ctx.stderr(`${p.file}: ${p.message} (rule ${p.rule})`);
      // Warnings (what old tools wrote differently) go into the event too: the AIP says what was tolerated.
      const tolerated =
        result.warnings.length === 0
          ? ""
          : `; ${result.warnings.length} warning(s): ${result.warnings
              .slice(0, 20)
              .map((w) => `${w.file}: ${w.message} (${w.rule})`)
              .join("; ")}`;
      const summary = result.valid
        ? `valid BagIt ${result.version} bag: ${result.payloadFiles} payload file(s), manifests ${result.algorithms.join(", ")}${tolerated}`
        : `invalid bag: ${result.problems.length} problem(s): ${result.problems
            .slice(0, 20)
            .map((p) => `${p.file}: ${p.message}`)
            .join("; ")}`;
      events.push(
        fileEvent(ctx, null, "fixity check", {
          key: "bag",
          detail: `program="stepmatica bagit validateBag"; BagIt-Version="${result.version ?? "?"}"`,
          outcome: result.valid ? "success" : "failure",
          outcomeDetail: summary,
        }),
      );
      if (!result.valid) {
        await rm(path.join(unit, EXTRACTED), { recursive: true, force: true });
        return { exitCode: 1, events, output: { bag: true } };
      }
      ctx.stdout(summary);
      await rename(found.root, moving);
      if (found.packageFile) await rm(found.packageFile, { force: true });
      await rm(path.join(unit, EXTRACTED), { recursive: true, force: true });
      await mkdir(path.join(unit, "objects"), { recursive: true });
    }
    const moved = await restructure(unit, moving);
    ctx.stdout(
      `moved ${moved} payload entr${moved === 1 ? "y" : "ies"} into the transfer; tag files in ${BAG_TAG_FOLDER}/`,
    );
    return { exitCode: 0, events, output: { bag: true }, ...(await externalIdentifierOf(ctx)) };
  },
};

/**
 * The bag's External-Identifier (a catalogue reference, as Wellcome records it) becomes the
 * transfer's, so the AIP can be found by it — unless the run was given one (`--external-id`).
 */
async function externalIdentifierOf(ctx: TaskContext) {
  if (ctx.unit.options.externalIdentifier) return {};
  const tags = path.join(ctx.unitPath, ...BAG_TAG_FOLDER.split("/"));
  const { encoding } = await readDeclaration(tags);
  // Drafts before 0.96 called the file package-info.txt.
  let value: string | undefined;
  for (const name of ["bag-info.txt", "package-info.txt"]) {
    const bytes = await readFile(path.join(tags, name)).catch(() => null);
    const text = bytes ? decodeTagText(bytes, name, encoding).text : null;
    value ??= text ? bagInfoValues(parseBagInfo(text).fields, "External-Identifier")[0]?.trim() : undefined;
  }
  return value ? { unitUpdate: { options: { externalIdentifier: value } } } : {};
}

type Located = { root: string; packageFile: string | null } | "refused" | null;

/** The bag to validate: objects/ itself (a folder bag) or a package's extracted bag root. */
async function locateBag(ctx: TaskContext): Promise<Located> {
  const unit = ctx.unitPath;
  if (await exists(path.join(unit, "objects", "bagit.txt"))) {
    return { root: path.join(unit, "objects"), packageFile: null };
  }
  const sole = await soleObject(unit);
  if (!sole) return null;
  const top = await bagRootInPackage(sole).catch(() => null); // a damaged package is Extract packages' to report
  if (top === null) return null;
  const extracted = path.join(unit, EXTRACTED);
  try {
    await extractArchive(sole, extracted, { signal: ctx.signal });
  } catch (error) {
    if (!isArchiveError(error)) throw error;
    ctx.stderr(`objects/${path.basename(sole)}: ${error.message}`);
    return "refused";
  }
  return { root: top === "" ? extracted : path.join(extracted, top), packageFile: sole };
}

/** Moves data/ into the transfer layout and the tag files into logs/bagit/; safe to repeat after a crash. */
async function restructure(unit: string, moving: string): Promise<number> {
  const data = path.join(moving, "data");
  const payloadHasObjects = await exists(path.join(data, "objects"));
  await writeBagLayout(unit, { payloadHasObjects });
  let moved = 0;
  for (const name of (await readdir(data).catch(() => [])).sort()) {
    const target = transferPathOfBagPath(`data/${name}`, { payloadHasObjects })!;
    await moveInto(path.join(data, name), path.join(unit, ...target.split("/")));
    moved += 1;
  }
  const tags = path.join(unit, ...BAG_TAG_FOLDER.split("/"));
  for (const name of await readdir(moving)) {
    if (name !== "data") await moveInto(path.join(moving, name), path.join(tags, name));
  }
  await rm(moving, { recursive: true, force: true });
  return moved;
}

/** Renames `from` to `to`, merging folders that exist on both sides (e.g. an empty metadata/). */
async function moveInto(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  try {
    await rename(from, to);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "EISDIR" && code !== "ENOTDIR") throw error;
  }
  const children = await readdir(from).catch(() => null);
  if (children === null) throw new Error(`${path.basename(to)}: exists already in the transfer`);
  for (const child of children) await moveInto(path.join(from, child), path.join(to, child));
  await rmdir(from);
}
