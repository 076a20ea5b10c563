import { createHash } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/**
 * ClamAV's signature databases: the project's own test signatures (always loaded, so a scan is
 * provably working even on a machine without the official databases) and the official ones
 * (main/daily/bytecode .cvd/.cld) when freshclam or an image build put them in place.
 */

/** The EICAR anti-virus test string (eicar.org): harmless, detected by every scanner. */
export const EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

export const TEST_SIGNATURE_NAME = "Stepmatica.Test.EICAR";

/**
 * The test database, in ClamAV's extended (.ndb) format: Name:TargetType:Offset:HexSignature.
 * Target 0 (any file), offset * (anywhere): EICAR is found with a trailing newline or inside a
 * container too. Written at run time from this constant, so no signature file ships in the bundle.
 */
export const TEST_DATABASE = `${TEST_SIGNATURE_NAME}:0:*:${Buffer.from(EICAR, "latin1").toString("hex")}\n`;

/** Where the official databases live (Debian's freshclam default; STEPMATICA_CLAMAV_DB_DIR overrides). */
export function officialDatabaseDir(): string {
  return process.env.STEPMATICA_CLAMAV_DB_DIR || "/var/lib/clamav";
}

/** Writes the test database once into a folder of its own (content-addressed) and returns the folder. */
export async function testDatabaseDir(): Promise<string> {
  const digest = createHash("sha256").update(TEST_DATABASE).digest("hex").slice(0, 12);
  const dir = path.join(os.tmpdir(), `stepmatica-clamav-test-db-${digest}`);
  const file = path.join(dir, "stepmatica-test.ndb");
  const existing = await readFile(file, "utf8").catch(() => null);
  if (existing === TEST_DATABASE) return dir;
  await mkdir(dir, { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.partial`;
  await writeFile(temp, TEST_DATABASE);
  await rename(temp, file);
  return dir;
}

export interface OfficialDatabase {
  file: string;
  /** "main", "daily", "bytecode". */
  name: string;
  /** The header's version, null when the header is not a ClamAV database's. */
  version: number | null;
  signatures: number | null;
  /** The header's build time, as written there ("14 Jul 2024 07-34 -0400"). */
  built: string | null;
  /** From the .cvd/.cld header: "daily v27336, 2,069,000 signatures, built 14 Jul 2024". */
  description: string;
}

export interface VirusDatabaseState {
  testDatabaseDir: string;
  officialDir: string;
  official: OfficialDatabase[];
  /** True when only the project's test signatures are loaded: real viruses would NOT be found. */
  onlyTestSignatures: boolean;
  /** One line for PREMIS event details and doctor: names, versions, signature counts. */
  summary: string;
}

/**
 * The first words of a "virus check" event's outcome detail when the scan could not have found a
 * real virus: status, the dashboard and the METS reader look for them.
 */
export const NOT_PERFORMED_WITH_REAL_SIGNATURES = "not performed with real signatures";

/** True when this deployment must not scan without the official databases (production workers). */
export function officialSignaturesRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.STEPMATICA_REQUIRE_OFFICIAL_SIGNATURES === "true";
}

/** The official database files present (by extension), with their header's version. */
export async function officialDatabases(dir = officialDatabaseDir()): Promise<OfficialDatabase[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: OfficialDatabase[] = [];
  for (const name of names.sort()) {
    if (!/\.(cvd|cld|cud)$/.test(name)) continue;
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile() || info.size === 0) continue;
    found.push({ file, ...(await readHeader(file, name)) });
  }
  return found;
}

/** A CVD header is 512 bytes: "ClamAV-VDB:<build time>:<version>:<signatures>:<level>:…". */
async function readHeader(file: string, fileName: string): Promise<Omit<OfficialDatabase, "file">> {
  const name = fileName.replace(/\.\w+$/, "");
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(512);
    const { bytesRead } = await handle.read(buffer, 0, 512, 0);
    const fields = buffer.subarray(0, bytesRead).toString("latin1").split(":");
    if (fields[0] !== "ClamAV-VDB") {
      return {
        name,
        version: null,
        signatures: null,
        built: null,
        description: `${name} (unrecognized header)`,
      };
    }
    const version = Number(fields[2]);
    const signatures = Number(fields[3]);
    const built = fields[1]?.trim() ?? "";
    return {
      name,
      version,
      signatures,
      built,
      description: `${name} v${version}, ${signatures.toLocaleString("en")} signatures, built ${built}`,
    };
  } finally {
    await handle.close();
  }
}

export async function virusDatabaseState(): Promise<VirusDatabaseState> {
  const testDir = await testDatabaseDir();
  const officialDir = officialDatabaseDir();
  // A file that merely looks like a database (no ClamAV header) is not counted as signatures.
  const official = (await officialDatabases(officialDir)).filter((d) => d.version !== null);
  const onlyTestSignatures = official.length === 0;
  const summary = onlyTestSignatures
    ? `WARNING: only the stepmatica test signatures (${TEST_SIGNATURE_NAME}) are loaded; no official ClamAV database in ${officialDir}: real viruses are NOT detected`
    : `${official.length} official database(s), ${totalSignatures(official)} signatures: ${official.map((d) => d.description).join("; ")}; plus the stepmatica test signatures`;
  return { testDatabaseDir: testDir, officialDir, official, onlyTestSignatures, summary };
}

function totalSignatures(databases: OfficialDatabase[]): string {
  return databases.reduce((sum, d) => sum + (d.signatures ?? 0), 0).toLocaleString("en");
}
