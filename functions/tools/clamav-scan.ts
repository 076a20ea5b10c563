import { constants } from "node:fs";
import { access, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { officialDatabaseDir, virusDatabaseState } from "./clamav-databases.ts";
import { findExecutable, requireTool, toolVersion } from "./discover.ts";
import { roomyMemoryFolder } from "./memory-folder.ts";
import { runTool } from "./run-tool.ts";

/**
 * Scans a batch of files with ONE ClamAV process: clamdscan when a clamd socket is reachable,
 * else clamscan with the test signatures and the official databases. Files are handed over in a
 * --file-list, one absolute path per line, and ClamAV answers "<path>: <result>". A path that
 * could confuse either (a line break, or ": " inside it) is handed over as a symbolic link with a
 * plain name (f0, f1, …) instead. Only those get a link: a link per file is a file created and
 * deleted per file, which on a large transfer costs the file system more than the scan itself.
 */

/** ClamAV cannot scan files larger than 2 GiB - 1; such files are reported, never silently passed. */
export const CLAMAV_MAX_FILE_BYTES = 2 ** 31 - 1;

export type ScanStatus = "clean" | "infected" | "error";

export interface ScanResult {
  /** The path as given. */
  file: string;
  status: ScanStatus;
  /** The signature name, for an infected file. */
  signature?: string;
  /** What ClamAV said (or why there is no answer), for errors and notes such as "Empty file". */
  message?: string;
}

export interface ScanReport {
  /** "clamscan" or "clamdscan". */
  program: string;
  version: string;
  /** Which databases were used (with a loud warning when only the test signatures were). */
  databases: string;
  onlyTestSignatures: boolean;
  results: ScanResult[];
  exitCode: number;
}

export interface ScanOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Folder for the file list and the links of odd names (default: the OS temp folder). */
  scratchDir?: string;
  /**
   * Where clamscan makes its folder for each file and unpacks archives (default: a folder of this
   * run's own in the scratch folder).
   */
  temporaryDir?: string;
  /**
   * Where clamscan's folders go first when temporaryDir is not given: by default a folder of this
   * run's own in /dev/shm when the machine has the room (roomyMemoryFolder), else none; null never
   * tries. A scan that fails there runs again in the folder on disk.
   */
  memoryDir?: string | null;
}

/**
 * Free memory (and room in /dev/shm) a scan needs before its folders go there: four times the most
 * clamscan unpacks for one file (--max-scansize), for two scans at once with as much again to spare.
 */
const MEMORY_TEMPORARY_ROOM = 2 * 2047 * 2 ** 20 * 2;

const cannotMakeFolder = (stderr: string) => /Can't create temporary directory/i.test(stderr);

/** The clamd socket to use, if any: STEPMATICA_CLAMD_SOCKET, else Debian's default when it exists. */
export async function clamdSocket(): Promise<string | null> {
  const configured = process.env.STEPMATICA_CLAMD_SOCKET;
  if (configured === "none") return null;
  const candidates = configured ? [configured] : ["/run/clamav/clamd.ctl", "/var/run/clamav/clamd.ctl"];
  for (const socket of candidates) {
    const usable = await access(socket, constants.R_OK | constants.W_OK).then(
      () => true,
      () => false,
    );
    if (usable) return socket;
  }
  return null;
}

export async function scanFiles(files: readonly string[], options: ScanOptions = {}): Promise<ScanReport> {
  const socket = await clamdSocket();
  const daemon = socket ? await findExecutable("clamdscan") : null;
  const program = daemon ? "clamdscan" : "clamscan";
  const executable = daemon ?? (await requireTool("clamscan"));
  const version = await toolVersion(program, executable);
  const state = await virusDatabaseState();
  // clamd is expected to read the same folder (its DatabaseDirectory): what is there is what it knows.
  const databases = daemon
    ? `clamd via ${socket}, databases in ${state.officialDir}: ${state.summary}`
    : state.summary;

  const scratch = await mkdtemp(path.join(options.scratchDir ?? os.tmpdir(), "stepmatica-clamav-"));
  let inMemory: string | null = null;
  try {
    const links = path.join(scratch, "files");
    const listed = await listedPaths(files, links);
    const list = path.join(scratch, "file-list.txt");
    await writeFile(list, listed.map((p) => `${p}\n`).join(""));
    const common = ["--no-summary", "--stdout", `--file-list=${list}`];
    const scan = async (temporary: string | null) => {
      let args: string[];
      if (daemon) {
        const config = path.join(scratch, "clamd.conf");
        await writeFile(config, `LocalSocket ${socket}\n`);
        args = [`--config-file=${config}`, "--fdpass", ...common];
      } else {
        args = ["--database", state.testDatabaseDir, `--tempdir=${temporary}`];
        if (state.official.length > 0) args.push("--database", officialDatabaseDir());
        args.push("--max-filesize=2047M", "--max-scansize=2047M", "--follow-file-symlinks=1", ...common);
      }
      const run = await runTool(executable, args, {
        signal: options.signal,
        timeoutMs: options.timeoutMs ?? 3600 * 1000,
        maxOutputBytes: 16 << 20,
      });
      if (run.timedOut)
        throw new Error(`${program} timed out after ${options.timeoutMs} ms (process killed)`);
      if (run.aborted) throw options.signal?.reason ?? new Error(`${program} aborted`);
      return { run, results: parseAnswer(run.stdout, listed, files) };
    };
    // clamscan makes (and removes) a folder for every file it scans, and unpacks archives there.
    // A folder of this run's own: nothing is left behind in the shared temporary folder if it is
    // killed, and two scans at once do not queue on that folder's lock (1,250 files each: 1.14 s
    // in /tmp, 0.80 s in folders of their own). In memory when the machine has room for the
    // largest thing clamscan may unpack there: 2,500 small files took 1.1 s with the folders on
    // ext4, 0.36 s on tmpfs (BENCHMARKS.md, "Waste in the tools' own runs").
    let temporary: string | null = null;
    if (!daemon) {
      temporary = options.temporaryDir ?? path.join(scratch, "clamscan-temp");
      if (!options.temporaryDir) {
        await mkdir(temporary);
        if (options.memoryDir !== undefined) inMemory = options.memoryDir;
        else {
          const memory = await roomyMemoryFolder(MEMORY_TEMPORARY_ROOM);
          if (memory) inMemory = await mkdtemp(path.join(memory, "stepmatica-clamav-")).catch(() => null);
        }
      }
    }
    let { run, results } = await scan(inMemory ?? temporary);
    // A memory folder that filled up (or any error there) is not the files' fault: scan again on disk.
    if (inMemory && (cannotMakeFolder(run.stderr) || results.some((r) => r.status === "error")))
      ({ run, results } = await scan(temporary));
    // Without its folder clamscan answers OK for every file, an infected one too, and exits 0.
    if (cannotMakeFolder(run.stderr))
      throw new Error(
        `${program} could not make its temporary folder in ${temporary ?? "its configured folder"}, ` +
          `so no file was scanned: ${run.stderr.trim().split("\n")[0]}`,
      );
    if (run.exitCode > 1 && results.every((r) => r.status === "error")) {
      const reason = run.stderr.trim().split("\n").slice(-3).join(" ") || `exit ${run.exitCode}`;
      throw new Error(`${program} could not scan: ${reason}`);
    }
    return {
      program,
      version,
      databases,
      onlyTestSignatures: state.onlyTestSignatures,
      results,
      exitCode: run.exitCode,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
    // Only a folder made here: one given as memoryDir is the caller's.
    if (inMemory && options.memoryDir === undefined) await rm(inMemory, { recursive: true, force: true });
  }
}

/** A path ClamAV's list and answer carry unambiguously: one line, and no ": " (the answer's separator). */
const isPlainPath = (p: string) => !/[\r\n]/.test(p) && !p.includes(": ");

/**
 * What the file list names for each file: its absolute path when plain, else a link `links/f<i>`
 * to it (made here). A file given twice gets a link the second time, so each line is one answer.
 */
async function listedPaths(files: readonly string[], links: string): Promise<string[]> {
  const seen = new Set<string>();
  const linked: Array<[target: string, link: string]> = [];
  const listed = files.map((file, i) => {
    const absolute = path.resolve(file);
    if (isPlainPath(absolute) && !seen.has(absolute)) {
      seen.add(absolute);
      return absolute;
    }
    const link = path.join(links, `f${i}`);
    linked.push([absolute, link]);
    return link;
  });
  if (linked.length > 0) {
    await mkdir(links);
    await Promise.all(linked.map(([target, link]) => symlink(target, link)));
  }
  return listed;
}

/**
 * Lines are "<listed>: OK", "<listed>: <signature> FOUND", "<listed>: <message> ERROR",
 * "<listed>: Empty file", where <listed> is what the file list named for `files[i]` (`listed[i]`,
 * plain: no line break and no ": " in it, so the first ": " ends it).
 */
export function parseAnswer(
  stdout: string,
  listed: readonly string[],
  files: readonly string[],
): ScanResult[] {
  const indexOf = new Map(listed.map((p, i) => [p, i]));
  const answers = new Map<number, ScanResult>();
  for (const line of stdout.split("\n")) {
    const colon = line.indexOf(": ");
    if (colon < 0) continue;
    const index = indexOf.get(line.slice(0, colon));
    const file = index === undefined ? undefined : files[index];
    if (index === undefined || file === undefined) continue;
    const text = line.slice(colon + 2).trim();
    if (text.endsWith(" FOUND")) {
      answers.set(index, { file, status: "infected", signature: text.slice(0, -" FOUND".length) });
    } else if (text === "OK") {
      if (!answers.has(index)) answers.set(index, { file, status: "clean" });
    } else if (text === "Empty file") {
      answers.set(index, { file, status: "clean", message: "empty file" });
    } else if (answers.get(index)?.status !== "infected") {
      answers.set(index, { file, status: "error", message: text.replace(/ ERROR$/, "") });
    }
  }
  return files.map(
    (file, i) =>
      answers.get(i) ?? { file, status: "error", message: "no answer from the scanner (not scanned)" },
  );
}
