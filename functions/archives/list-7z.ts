import readline from "node:readline";
import { ArchiveError } from "./errors.ts";
import { sevenZipReason, spawnSevenZip } from "./seven-zip.ts";

export interface ListedBlock {
  path: string;
  size: number;
  attributes: string;
  folder: boolean;
  encrypted: boolean;
  /** Whether the archive stores a modification time for the entry (7z made with -mtm=off does not). */
  hasMtime: boolean;
}

/**
 * Streams `7za l -slt -ba` and hands over one block per entry as it is read, so a listing of a
 * million entries never sits in memory. A throw from `onBlock` stops 7za and propagates.
 */
export async function readListing(
  file: string,
  type: "7z" | "zip",
  signal: AbortSignal | undefined,
  onBlock: (block: ListedBlock) => void,
): Promise<void> {
  const { child, done } = await spawnSevenZip(["l", "-slt", "-ba", "-bd", "-p-", `-t${type}`, "--", file], {
    signal,
  });
  done.catch(() => undefined);
  let fields = new Map<string, string>();
  const flush = () => {
    if (!fields.has("Path")) return;
    onBlock({
      path: fields.get("Path")!,
      size: Number(fields.get("Size") || 0),
      attributes: fields.get("Attributes") ?? "",
      folder: fields.get("Folder") === "+",
      encrypted: fields.get("Encrypted") === "+",
      hasMtime: (fields.get("Modified") ?? "") !== "",
    });
    fields = new Map();
  };
  try {
    for await (const line of readline.createInterface({
      input: child.stdout!,
      crlfDelay: Number.POSITIVE_INFINITY,
    })) {
      if (line === "") {
        flush();
        continue;
      }
      const separator = line.indexOf(" = ");
      const key = separator > 0 ? line.slice(0, separator) : line.replace(/ =$/, "");
      const value = separator > 0 ? line.slice(separator + 3) : "";
      if (key === "Path" && fields.has("Path")) flush();
      fields.set(key, value);
    }
    flush();
  } catch (error) {
    child.kill();
    throw error;
  }
  const { code, stderr } = await done;
  if (code !== 0) {
    const reason = sevenZipReason(stderr, code);
    throw new ArchiveError(/password/i.test(reason) ? "unsupported" : "corrupt", file, reason);
  }
}

/** The entry's kind from 7za's "Attributes" ("D_ drwxr-xr-x", "A_ lrwxrwxrwx", "A"). */
export function parseAttributes(block: ListedBlock, archive: string): "file" | "dir" | "symlink" {
  const [windows = "", unix = ""] = block.attributes.split(" ");
  const unixType = unix.charAt(0);
  if (unixType === "l") return "symlink";
  if (unixType !== "" && unixType !== "-" && unixType !== "d") {
    throw new ArchiveError(
      "special-file",
      archive,
      `file type '${unixType}' (device, FIFO or socket)`,
      block.path,
    );
  }
  return unixType === "d" || windows.includes("D") || block.folder ? "dir" : "file";
}
