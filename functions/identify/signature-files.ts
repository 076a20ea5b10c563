import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseContainerSignatures } from "./container-loader.ts";
import { parseSignatureFile } from "./droid-loader.ts";
import type { ContainerSignatureSet, SignatureSet } from "./types.ts";

/**
 * The official PRONOM signature files the project ships (functions/identify/signatures/, or
 * `signatures/` beside a bundle: the Lambda bundling copies them there). Every run uses them unless
 * a processing configuration names other files.
 */
export const SHIPPED_SIGNATURES_DIR = fileURLToPath(new URL("./signatures/", import.meta.url));

export const DROID_FILE_PATTERN = /^DROID_SignatureFile_V\d+\.xml$/;
export const CONTAINER_FILE_PATTERN = /^container-signature-\d{8}\.xml$/;

export type SignatureFileKind = "droid" | "container";

/** What `doctor`, the README and the update command say about one signature file (read from it). */
export interface SignatureFileInfo {
  kind: SignatureFileKind;
  path: string;
  file: string;
  /** DROID: the `Version` attribute; container: `signatureVersion`. */
  version: string;
  /** DROID: `DateCreated`; container: the date in its file name (the file itself has none). */
  date: string | null;
  sha256: string;
}

export interface LoadedSignatureFiles {
  signatures: SignatureSet;
  containers: ContainerSignatureSet;
  files: SignatureFileInfo[];
}

/** The one DROID file and the one container file in `dir`; an error names the folder otherwise. */
export async function signatureFilesIn(
  dir: string = SHIPPED_SIGNATURES_DIR,
): Promise<{ droid: string; container: string }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new Error(`identify: signature folder ${dir} cannot be read: ${(error as Error).message}`);
  }
  const pick = (pattern: RegExp, what: string): string => {
    const found = names.filter((name) => pattern.test(name));
    if (found.length !== 1) {
      throw new Error(
        `identify: signature folder ${dir} must hold exactly one ${what} file, found ${found.length ? found.join(", ") : "none"}`,
      );
    }
    return join(dir, found[0]!);
  };
  return {
    droid: pick(DROID_FILE_PATTERN, "DROID signature (DROID_SignatureFile_V*.xml)"),
    container: pick(CONTAINER_FILE_PATTERN, "container signature (container-signature-YYYYMMDD.xml)"),
  };
}

/** Parses a file as either kind (told apart by its root element) and reads its version from it. */
export async function readSignatureFile(
  path: string,
): Promise<
  { info: SignatureFileInfo } & ({ signatures: SignatureSet } | { containers: ContainerSignatureSet })
> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`${path}: cannot be read: ${(error as Error).message}`);
  }
  const text = bytes.toString("utf8");
  const file = basename(path);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const root = /<([A-Za-z_][\w.:-]*)[\s>/]/.exec(text.replace(/^(\s|<\?[^>]*\?>|<!--[\s\S]*?-->)*/, ""))?.[1];
  try {
    if (root === "FFSignatureFile") {
      const signatures = parseSignatureFile(text, file);
      if (signatures.version === "unknown") throw new Error("its root has no Version attribute");
      if (signatures.signatures.length === 0) throw new Error("it holds no internal signatures");
      const info: SignatureFileInfo = {
        kind: "droid",
        path,
        file,
        version: signatures.version,
        date: signatures.date,
        sha256,
      };
      return { info, signatures };
    }
    if (root === "ContainerSignatureMapping") {
      const containers = parseContainerSignatures(text, file);
      if (containers.version === "unknown") throw new Error("its root has no signatureVersion attribute");
      if (containers.signatures.length === 0) throw new Error("it holds no container signatures");
      const info: SignatureFileInfo = {
        kind: "container",
        path,
        file,
        version: containers.version,
        date: containers.date,
        sha256,
      };
      return { info, containers };
    }
  } catch (error) {
    throw new Error(`${path}: not a usable PRONOM signature file: ${(error as Error).message}`);
  }
  throw new Error(
    `${path}: not a PRONOM signature file (root element <${root ?? "?"}>, expected <FFSignatureFile> or <ContainerSignatureMapping>)`,
  );
}

/** Loads the DROID and container files of a signature folder (default: the shipped one). */
export async function loadSignatureFolder(
  dir: string = SHIPPED_SIGNATURES_DIR,
): Promise<LoadedSignatureFiles> {
  const paths = await signatureFilesIn(dir);
  const [droid, container] = await Promise.all([
    readSignatureFile(paths.droid),
    readSignatureFile(paths.container),
  ]);
  if (!("signatures" in droid) || !("containers" in container)) {
    throw new Error(`identify: ${dir}: a file's content does not match its name (DROID / container)`);
  }
  return {
    signatures: droid.signatures,
    containers: container.containers,
    files: [droid.info, container.info],
  };
}
