/** writeBag: turns a directory whose payload already sits under data/ into a BagIt 1.0 bag, in place. */
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { limiter, mapLimit } from "../core/concurrency.ts";
import { digestFile } from "../core/digest.ts";
import { statFile } from "../core/inline-fs.ts";
import { AtomicAppender, isTempName, writeFileAtomic } from "./atomic.ts";
import { type BagInfoField, formatBagInfo } from "./bag-info.ts";
import {
  bagPath,
  DEFAULT_CONCURRENCY,
  filePagesInByteOrder,
  isDirectory,
  type ListedFile,
  listFiles,
} from "./files.ts";
import { formatManifest, PAYLOAD_MANIFEST_NAME, TAG_MANIFEST_NAME } from "./manifest.ts";
import { compareBytes, showPath } from "./text.ts";
import {
  type Algorithm,
  BAG_DECLARATION,
  BAG_INFO,
  BagError,
  DIGEST_HEX_LENGTH,
  isAlgorithm,
  PAYLOAD_DIR,
} from "./types.ts";

export const DEFAULT_SOFTWARE_AGENT = "stepmatica BagIt library";

/**
 * What the caller already knows of a payload file: digests, and its size when those digests were
 * taken from the same bytes (the file's record). A file whose digests are all known and whose size is
 * given is not touched at all: no read, and no stat for Payload-Oxum (10,000 files: prepare_aip
 * 0.79-0.92 -> 0.59-0.70 s, BENCHMARKS.md).
 */
export type KnownFile = Partial<Record<Algorithm, string>> & { size?: number };
export type KnownDigests = ReadonlyMap<string, KnownFile>;

/** Payload files listed, hashed and written to the manifests at once. */
export const MANIFEST_PAGE = 2000;
/**
 * Pages walked, looked up and hashed at once, their lines still written in order: a large file (an
 * AIP's METS is over 100 MB for 10,000 files) hashes while the pages after it are looked up. Files
 * are read `concurrency` at a time across all of them.
 */
const PAGES_IN_FLIGHT = 8;

type PayloadEntry = ListedFile;
interface DigestedFile {
  path: string;
  digests: Partial<Record<Algorithm, string>>;
  size: number;
}

export interface WriteBagOptions {
  /** Payload and tag manifest algorithms; default ["sha256"]. */
  algorithms?: Algorithm[];
  /** Extra bag-info.txt elements in order; an array repeats the label. Payload-Oxum and Bagging-Date are computed. */
  bagInfo?: Record<string, string | string[]>;
  /** Date written as Bagging-Date (UTC, YYYY-MM-DD); default now. Fix it for byte-identical runs. */
  baggingDate?: Date;
  /**
   * Digests the caller already has, by bag path ("data/objects/a.txt"); those files are not re-read.
   * A function is asked a page of payload paths at a time (a large bag's digests need not all be held).
   */
  knownDigests?: KnownDigests | ((bagPaths: string[]) => Promise<KnownDigests>);
  /** Files hashed at once; default 8. */
  concurrency?: number;
}

export interface WriteBagResult {
  payloadFiles: number;
  payloadOctets: number;
  /** Files actually read and hashed (payload files without complete known digests). */
  hashedFiles: number;
  tagFiles: string[];
}

export async function writeBag(dir: string, options: WriteBagOptions = {}): Promise<WriteBagResult> {
  const algorithms = checkAlgorithms(options.algorithms ?? ["sha256"]);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!(await isDirectory(path.join(dir, PAYLOAD_DIR)))) {
    throw new BagError(path.join(dir, PAYLOAD_DIR), "payload directory data/ is missing or not a directory");
  }
  const bagInfoFields = buildBagInfo(options);
  await removeLeftovers(dir, algorithms);

  let payloadFiles = 0;
  let payloadOctets = 0;
  let hashedFiles = 0;
  const manifests = await Promise.all(
    algorithms.map((algorithm) => AtomicAppender.open(path.join(dir, `manifest-${algorithm}.txt`))),
  );
  const readSlot = limiter(concurrency);
  let failure: unknown = null;
  const digestEntry = async (entry: PayloadEntry, knownPage: KnownDigests): Promise<DigestedFile> => {
    const given = knownPage.get(entry.path);
    const known = checkKnown(entry.path, given, algorithms);
    const missing = algorithms.filter((algorithm) => known[algorithm] === undefined);
    const absolute = bagPath(dir, entry.path);
    if (missing.length === 0)
      return {
        path: entry.path,
        digests: known,
        size: knownSize(entry.path, given) ?? (await statFile(absolute, { followLinks: false })).size,
      };
    hashedFiles++;
    const hashed = await digestFile(absolute, missing).catch((error: Error) => {
      throw new BagError(entry.path, `cannot read payload file: ${error.message}`);
    });
    return { path: entry.path, digests: { ...known, ...hashed.digests }, size: hashed.size };
  };
  const digestPage = async (page: PayloadEntry[]): Promise<DigestedFile[]> => {
    const oddEntry = page.find((entry) => entry.kind !== "file");
    if (oddEntry) {
      const what = oddEntry.kind === "symlink" ? "a symbolic link" : "not a regular file";
      failure ??= new BagError(oddEntry.path, `${what}; a bag's payload must hold the bytes themselves`);
      throw failure;
    }
    const knownPage = await knownDigestsOf(
      options.knownDigests,
      page.map((entry) => entry.path),
    );
    return Promise.all(
      page.map((entry) =>
        readSlot(async () => {
          // Once one file failed, the files still waiting are not read: the bag fails anyway.
          if (failure) throw failure;
          return digestEntry(entry, knownPage).catch((error: unknown) => {
            failure ??= error;
            throw error;
          });
        }),
      ),
    );
  };
  const appendPage = async (digested: DigestedFile[]) => {
    for (const file of digested) payloadOctets += file.size;
    payloadFiles += digested.length;
    for (const [index, algorithm] of algorithms.entries()) {
      const lines = digested.map((file) => ({ path: file.path, digest: file.digests[algorithm]! }));
      await manifests[index]!.append(formatManifest(lines));
    }
  };
  // A page of payload files at a time, in manifest order: their known digests looked up, the others
  // hashed, and their lines appended, so no list of every payload file is ever held: at most
  // PAGES_IN_FLIGHT pages are.
  const inFlight: Promise<DigestedFile[]>[] = [];
  try {
    for await (const page of filePagesInByteOrder(bagPath(dir, PAYLOAD_DIR), PAYLOAD_DIR, MANIFEST_PAGE)) {
      const current = digestPage(page);
      current.catch(() => {}); // awaited in its turn, after the pages before it: not unhandled meanwhile
      inFlight.push(current);
      if (inFlight.length >= PAGES_IN_FLIGHT) await appendPage(await inFlight.shift()!);
    }
    while (inFlight.length > 0) await appendPage(await inFlight.shift()!);
    for (const manifest of manifests) await manifest.commit();
  } finally {
    // A page still hashing when another failed ends before the manifests are discarded.
    await Promise.allSettled(inFlight);
    for (const manifest of manifests) await manifest.discard();
  }
  await writeFileAtomic(
    path.join(dir, BAG_DECLARATION),
    "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
  );
  const oxum: BagInfoField = { label: "Payload-Oxum", value: `${payloadOctets}.${payloadFiles}` };
  await writeFileAtomic(path.join(dir, BAG_INFO), formatBagInfo([...bagInfoFields, oxum]));

  const tagFiles = (await listFiles(dir, "", new Set([PAYLOAD_DIR])))
    .filter((entry) => !TAG_MANIFEST_NAME.test(entry.path) && !isTempName(path.basename(entry.path)))
    .map((entry) => entry.path)
    .sort(compareBytes);
  const tagDigests = await mapLimit(tagFiles, concurrency, async (tagFile) => ({
    path: tagFile,
    digests: (await digestFile(bagPath(dir, tagFile), algorithms)).digests,
  }));
  for (const algorithm of algorithms) {
    const lines = tagDigests.map((file) => ({ path: file.path, digest: file.digests[algorithm]! }));
    await writeFileAtomic(path.join(dir, `tagmanifest-${algorithm}.txt`), formatManifest(lines));
  }
  return { payloadFiles, payloadOctets, hashedFiles, tagFiles };
}

async function knownDigestsOf(
  known: WriteBagOptions["knownDigests"],
  bagPaths: string[],
): Promise<KnownDigests> {
  if (known === undefined) return new Map();
  return typeof known === "function" ? await known(bagPaths) : known;
}

function checkAlgorithms(requested: readonly string[]): Algorithm[] {
  if (requested.length === 0) throw new BagError("manifest", "at least one algorithm is needed");
  for (const algorithm of requested) {
    if (!isAlgorithm(algorithm)) throw new BagError(`manifest-${algorithm}.txt`, "unsupported algorithm");
  }
  return [...new Set(requested as Algorithm[])].sort();
}

function buildBagInfo(options: WriteBagOptions): BagInfoField[] {
  const given = Object.entries(options.bagInfo ?? {});
  const computed = given.find(([label]) => ["payload-oxum", "bagging-date"].includes(label.toLowerCase()));
  if (computed) {
    throw new BagError(
      BAG_INFO,
      `${computed[0]} is computed by writeBag (use options.baggingDate for the date)`,
    );
  }
  const date = options.baggingDate ?? new Date();
  if (Number.isNaN(date.getTime())) throw new BagError(BAG_INFO, "baggingDate is not a valid date");
  const fields: BagInfoField[] = [{ label: "Bagging-Date", value: date.toISOString().slice(0, 10) }];
  if (!given.some(([label]) => label.toLowerCase() === "bag-software-agent")) {
    fields.push({ label: "Bag-Software-Agent", value: DEFAULT_SOFTWARE_AGENT });
  }
  for (const [label, value] of given) {
    for (const single of Array.isArray(value) ? value : [value]) fields.push({ label, value: single });
  }
  formatBagInfo(fields); // validates labels and values before anything is written
  return fields;
}

function checkKnown(
  file: string,
  known: KnownFile | undefined,
  algorithms: readonly Algorithm[],
): Partial<Record<Algorithm, string>> {
  const usable: Partial<Record<Algorithm, string>> = {};
  for (const algorithm of algorithms) {
    const digest = known?.[algorithm];
    if (digest === undefined) continue;
    if (!new RegExp(`^[0-9a-fA-F]{${DIGEST_HEX_LENGTH[algorithm]}}$`).test(digest)) {
      throw new BagError(file, `known ${algorithm} digest "${showPath(digest)}" is not ${algorithm} hex`);
    }
    usable[algorithm] = digest.toLowerCase();
  }
  return usable;
}

function knownSize(file: string, known: KnownFile | undefined): number | undefined {
  const size = known?.size;
  if (size === undefined) return undefined;
  if (!Number.isSafeInteger(size) || size < 0)
    throw new BagError(file, `known size ${String(size)} is not a number of bytes`);
  return size;
}

/** Removes temp files of a crashed run and manifests of algorithms no longer requested. */
async function removeLeftovers(dir: string, algorithms: readonly Algorithm[]): Promise<void> {
  for (const name of await readdir(dir)) {
    const manifest = PAYLOAD_MANIFEST_NAME.exec(name) ?? TAG_MANIFEST_NAME.exec(name);
    const stale = manifest && !(algorithms as readonly string[]).includes(manifest[1]!);
    if (stale || isTempName(name)) await rm(path.join(dir, name), { force: true });
  }
}
