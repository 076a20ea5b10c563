import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { createArchive } from "../archives/index.ts";
import { sipIdOf } from "../core/ids.ts";
import { unitFolderName } from "../tasks/rename-with-unit-uuid.ts";

export interface OriginalFile {
  /** Relative path inside the package, "/"-separated. */
  path: string;
  sha256: string;
}

export interface GeneratedTransfer {
  name: string;
  /** The zip to upload. */
  packagePath: string;
  packageSha256: string;
  files: OriginalFile[];
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/**
 * A small transfer, the same bytes every time for a given name: a text file, a CSV in a subfolder and
 * a binary file holding every byte value (so a byte lost or changed in transit shows). Zipped with a
 * fixed time, so the package is reproducible too.
 */
export async function generateTransfer(
  dir: string,
  name: string,
  /** Small text files added under notes/ (a transfer of many files, for load scenarios). */
  extraFiles = 0,
): Promise<GeneratedTransfer> {
  const source = path.join(dir, `${name}-source`);
  const contents: Record<string, Buffer> = {
    "README.txt": Buffer.from(`stepmatica smoke transfer ${name}\nThis file must come back byte for byte.\n`),
    "records/ledger.csv": Buffer.from("date,entry,amount\n1901-01-01,opening,0\n1901-02-01,dues,12.50\n"),
    "images/all-bytes.bin": Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256)),
  };
  for (let i = 1; i <= extraFiles; i++) {
    const n = String(i).padStart(4, "0");
    contents[`notes/note-${n}.txt`] = Buffer.from(`note ${n} of ${name}\n`);
  }
  const files: OriginalFile[] = [];
  for (const [rel, bytes] of Object.entries(contents)) {
    const target = path.join(source, ...rel.split("/"));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, bytes);
    files.push({ path: rel, sha256: sha256(bytes) });
  }
  const packagePath = path.join(dir, `${name}.zip`);
  await createArchive(source, packagePath, "zip", { mtime: new Date("2000-01-01T00:00:00Z") });
  return {
    name,
    packagePath,
    packageSha256: sha256(await readFile(packagePath)),
    files: files.sort((a, b) => a.path.localeCompare(b.path)),
  };
}

/** The name the AIP of a transfer is stored under (the SIP's folder name: `<name>-<SIP uuid>`). */
export const aipNameOf = (transferId: string, name: string) => unitFolderName(name, sipIdOf(transferId));
