import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, realpath, rename, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";

/**
 * The files through which the processes sharing one STEPMATICA_HOME find its database owner
 * (functions/cli/db-owner.ts): where it listens, who it is, and the password it asks for.
 */
export interface HomeFiles {
  home: string;
  dataDir: string;
  /** The owner listens here; holding this address is what makes a process the owner. */
  address: string;
  /** The owner's pid, host and start time, for messages naming it (written by the owner). */
  ownerFile: string;
  /** The password clients present (mode 0600: only the home's user can read it). */
  secretFile: string;
  /** The owner's own output: why it stopped, if it did. */
  logFile: string;
}

export interface OwnerRecord {
  pid: number;
  host: string;
  startedAt: string;
  /** False while it opens the data folder (a first start runs initdb and takes a while). */
  ready: boolean;
}

export async function homeFiles(home: string): Promise<HomeFiles> {
  await mkdir(home, { recursive: true });
  const real = await realpath(home);
  const digest = createHash("sha256").update(real).digest("hex").slice(0, 32);
  return {
    home: real,
    dataDir: path.join(real, "db"),
    // Linux: an abstract socket, released by the kernel the instant its holder dies (even by
    // SIGKILL), so a dead owner never leaves a stale lock behind and two processes can never both
    // hold it. Elsewhere: a socket file in the home.
    address: process.platform === "linux" ? `\0stepmatica-db-${digest}` : path.join(real, "db.sock"),
    ownerFile: path.join(real, "db-owner.json"),
    secretFile: path.join(real, "db.secret"),
    logFile: path.join(real, "db-owner.log"),
  };
}

/** The owner recorded for a home, or null (none yet, or the file is unreadable). */
export function ownerRecord(ready: boolean, startedAt = new Date().toISOString()): OwnerRecord {
  return { pid: process.pid, host: hostname(), startedAt, ready };
}

export async function readOwner(files: HomeFiles): Promise<OwnerRecord | null> {
  try {
    const record = JSON.parse(await readFile(files.ownerFile, "utf8")) as OwnerRecord;
    return Number.isInteger(record.pid) ? record : null;
  } catch {
    return null;
  }
}

export async function writeOwner(files: HomeFiles, record: OwnerRecord): Promise<void> {
  const temporary = `${files.ownerFile}.${process.pid}`;
  await writeFile(temporary, `${JSON.stringify(record)}\n`);
  await rename(temporary, files.ownerFile);
}

/** The home's password: made once (by the owner, which alone holds the address), kept across owners. */
export async function ensureSecret(files: HomeFiles): Promise<string> {
  const existing = await readFile(files.secretFile, "utf8").catch(() => null);
  if (existing?.trim()) return existing.trim();
  const secret = randomBytes(24).toString("base64url");
  const temporary = `${files.secretFile}.${process.pid}`;
  await writeFile(temporary, `${secret}\n`, { mode: 0o600 });
  await rename(temporary, files.secretFile);
  return secret;
}

export async function readSecret(files: HomeFiles): Promise<string> {
  return (await readFile(files.secretFile, "utf8")).trim();
}
