/**
 * The worker's ClamAV signatures. The image carries the official databases as of its build
 * (freshclam in the Dockerfile); the workers keep a shared copy on EFS current: at start-up a worker
 * seeds the shared folder with any newer database from its image, and every few hours one worker
 * at a time (a lock file on EFS) runs freshclam into it. Scans read the shared folder
 * (STEPMATICA_CLAMAV_DB_DIR). A production worker refuses to start when that folder holds no
 * official database (STEPMATICA_REQUIRE_OFFICIAL_SIGNATURES=true).
 */
import { copyFile, mkdir, open, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  officialDatabases,
  officialSignaturesRequired,
  virusDatabaseState,
} from "../tools/clamav-databases.ts";
import { runTool } from "../tools/run-tool.ts";

export interface SignatureLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
}

/** Copies every database of the image that the shared folder lacks or has in an older version. */
export async function seedSharedDatabases(imageDir: string, sharedDir: string): Promise<string[]> {
  await mkdir(sharedDir, { recursive: true });
  const shared = new Map((await officialDatabases(sharedDir)).map((d) => [d.name, d.version ?? -1]));
  const copied: string[] = [];
  for (const db of await officialDatabases(imageDir)) {
    if (db.version === null || (shared.get(db.name) ?? -1) >= db.version) continue;
    // Another .cvd/.cld of the same database would be loaded twice: the copy replaces both names.
    const target = path.join(sharedDir, path.basename(db.file));
    const temp = `${target}.${process.pid}.partial`;
    await copyFile(db.file, temp);
    await rename(temp, target);
    for (const ext of [".cvd", ".cld"]) {
      const other = path.join(sharedDir, `${db.name}${ext}`);
      if (other !== target) await rm(other, { force: true });
    }
    copied.push(db.description);
  }
  return copied;
}

/** Start-up check: the reason the worker must not start, or null. */
export async function signatureProblem(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  if (!officialSignaturesRequired(env)) return null;
  const state = await virusDatabaseState();
  if (!state.onlyTestSignatures) return null;
  return `STEPMATICA_REQUIRE_OFFICIAL_SIGNATURES=true but there is no official ClamAV database in ${state.officialDir}: a scan could not detect real viruses (build the image with freshclam, see infra/README.md)`;
}

export interface RefreshOptions {
  /** The shared databases folder (EFS). */
  dir: string;
  /** The freshclam executable (default: found on PATH). */
  freshclam?: string;
  /** ClamAV's mirror (default database.clamav.net). */
  mirror?: string;
  /** A lock older than this belongs to a dead worker (default 1 h). */
  staleLockMs?: number;
  timeoutMs?: number;
  log: SignatureLog;
}

export type RefreshResult = "updated" | "skipped: another worker is refreshing" | `failed: ${string}`;

/**
 * One freshclam run into the shared folder, unless another worker holds the lock. A failure keeps
 * the databases there (freshclam replaces a file only when the new one verified) and is logged.
 */
export async function refreshSignatures(options: RefreshOptions): Promise<RefreshResult> {
  await mkdir(options.dir, { recursive: true });
  const lock = path.join(options.dir, ".freshclam.lock");
  if (!(await takeLock(lock, options.staleLockMs ?? 3600_000)))
    return "skipped: another worker is refreshing";
  const config = path.join(options.dir, `.freshclam.${process.pid}.conf`);
  try {
    await writeFile(
      config,
      [
        `DatabaseDirectory ${options.dir}`,
        `DatabaseMirror ${options.mirror ?? "database.clamav.net"}`,
        "Foreground yes",
        "ConnectTimeout 30",
        "ReceiveTimeout 300",
        "",
      ].join("\n"),
    );
    const run = await runTool(
      options.freshclam ?? "freshclam",
      [`--config-file=${config}`, `--datadir=${options.dir}`, "--stdout", "--no-warnings"],
      { timeoutMs: options.timeoutMs ?? 15 * 60_000, maxOutputBytes: 1 << 20 },
    );
    const output = `${run.stdout}\n${run.stderr}`.trim().split("\n").slice(-3).join(" ");
    if (run.exitCode !== 0 || run.timedOut) {
      options.log.warn("freshclam failed; the current signatures stay in use", {
        exitCode: run.exitCode,
        timedOut: run.timedOut,
        output,
      });
      return `failed: ${run.timedOut ? "timed out" : `exit ${run.exitCode}`}: ${output}`;
    }
    const state = await officialDatabases(options.dir);
    options.log.info("signatures refreshed", { databases: state.map((d) => d.description) });
    return "updated";
  } finally {
    await rm(config, { force: true });
    await rm(lock, { force: true });
  }
}

async function takeLock(lock: string, staleMs: number): Promise<boolean> {
  const held = await stat(lock).catch(() => null);
  if (held && Date.now() - held.mtimeMs > staleMs) await rm(lock, { force: true });
  try {
    const handle = await open(lock, "wx");
    await handle.writeFile(`${process.pid}\n`);
    await handle.close();
    return true;
  } catch {
    return false;
  }
}

/** Refreshes now and then every `intervalMs`; the returned function stops it. */
export function scheduleSignatureRefresh(options: RefreshOptions & { intervalMs: number }): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async () => {
    await refreshSignatures(options).catch((error: unknown) =>
      options.log.warn("signature refresh failed", { error: String(error) }),
    );
    if (!stopped) timer = setTimeout(tick, options.intervalMs);
  };
  timer = setTimeout(tick, 0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
