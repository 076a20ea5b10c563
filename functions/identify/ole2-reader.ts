import type { ByteSource } from "./scan.ts";
import { type ContainerEntry, ContainerError } from "./zip-reader.ts";

const MAGIC = Buffer.from("D0CF11E0A1B11AE1", "hex");
const END_OF_CHAIN = 0xfffffffe;
const NO_STREAM = 0xffffffff;
const MAX_SECTOR_ID = 0xfffffffa;

interface DirectoryEntry {
  name: string;
  type: number;
  left: number;
  right: number;
  child: number;
  start: number;
  size: number;
}

/**
 * Reads an OLE2 (Compound File Binary) header, FAT and directory, and returns its streams by path
 * ("Storage/Stream"; leading control characters such as \u0005 dropped, as DROID does).
 */
export async function readOle2Directory(source: ByteSource): Promise<Map<string, ContainerEntry>> {
  const header = await source.read(0, 512);
  if (header.length < 512 || !header.subarray(0, 8).equals(MAGIC))
    throw new ContainerError("OLE2: not a compound file");
  const sectorShift = header.readUInt16LE(30);
  const miniShift = header.readUInt16LE(32);
  if (sectorShift < 7 || sectorShift > 16 || miniShift > sectorShift)
    throw new ContainerError("OLE2: bad sector size");
  const sectorSize = 1 << sectorShift;
  const miniSize = 1 << miniShift;
  const sectorCount = Math.ceil(source.size / sectorSize);
  const readSector = (id: number): Promise<Buffer> => source.read((id + 1) * sectorSize, sectorSize);

  // The FAT's own sectors are listed in the header's DIFAT and in a DIFAT chain.
  const fatSectorIds: number[] = [];
  for (let i = 0; i < 109; i++) fatSectorIds.push(header.readUInt32LE(76 + i * 4));
  let difat = header.readUInt32LE(68);
  for (let guard = 0; difat <= MAX_SECTOR_ID && guard < sectorCount; guard++) {
    const sector = await readSector(difat);
    const perSector = sectorSize / 4 - 1;
    for (let i = 0; i < perSector && i * 4 + 4 <= sector.length; i++)
      fatSectorIds.push(sector.readUInt32LE(i * 4));
    difat = sector.length >= sectorSize ? sector.readUInt32LE(perSector * 4) : END_OF_CHAIN;
  }
  const fatParts: Buffer[] = [];
  for (const id of fatSectorIds)
    if (id <= MAX_SECTOR_ID && id < sectorCount) fatParts.push(await readSector(id));
  const fat = Buffer.concat(fatParts);
  const nextSector = (id: number): number =>
    id * 4 + 4 <= fat.length ? fat.readUInt32LE(id * 4) : END_OF_CHAIN;

  const chain = (start: number, limit: number): number[] => {
    const ids: number[] = [];
    for (let id = start; id <= MAX_SECTOR_ID && id < sectorCount && ids.length < limit; id = nextSector(id)) {
      ids.push(id);
    }
    return ids;
  };
  const readChain = async (start: number, maxBytes: number): Promise<Buffer> => {
    const ids = chain(start, Math.ceil(maxBytes / sectorSize));
    return Buffer.concat(await Promise.all(ids.map(readSector))).subarray(0, maxBytes);
  };

  const directory = await readChain(header.readUInt32LE(48), sectorCount * sectorSize);
  const entries: DirectoryEntry[] = [];
  for (let at = 0; at + 128 <= directory.length; at += 128)
    entries.push(parseEntry(directory.subarray(at, at + 128)));
  const root = entries[0];
  if (root?.type !== 5) throw new ContainerError("OLE2: no root entry");

  const cutoff = header.readUInt32LE(56);
  let miniStream: Promise<Buffer> | null = null;
  let miniFat: Promise<Buffer> | null = null;
  const readMini = async (start: number, size: number, maxBytes: number): Promise<Buffer> => {
    miniStream ??= readChain(root.start, root.size);
    miniFat ??= readChain(header.readUInt32LE(60), header.readUInt32LE(64) * sectorSize);
    const [stream, table] = await Promise.all([miniStream, miniFat]);
    const parts: Buffer[] = [];
    const wanted = Math.min(size, maxBytes);
    let total = 0;
    for (
      let id = start, guard = 0;
      id <= MAX_SECTOR_ID && total < wanted && guard < stream.length / miniSize;
      guard++
    ) {
      const piece = stream.subarray(id * miniSize, id * miniSize + miniSize);
      if (piece.length === 0) break;
      parts.push(piece);
      total += piece.length;
      id = id * 4 + 4 <= table.length ? table.readUInt32LE(id * 4) : END_OF_CHAIN;
    }
    return Buffer.concat(parts).subarray(0, wanted);
  };

  const streams = new Map<string, ContainerEntry>();
  const visit = (index: number, prefix: string, seen: Set<number>): void => {
    if (index === NO_STREAM || index >= entries.length || seen.has(index)) return;
    seen.add(index);
    const entry = entries[index]!;
    visit(entry.left, prefix, seen);
    visit(entry.right, prefix, seen);
    const path = prefix + entry.name;
    if (entry.type === 2 && !streams.has(path)) {
      streams.set(path, {
        name: path,
        read: (maxBytes) =>
          entry.size < cutoff
            ? readMini(entry.start, entry.size, maxBytes)
            : readChain(entry.start, Math.min(entry.size, maxBytes)),
      });
    } else if (entry.type === 1) {
      visit(entry.child, `${path}/`, seen);
    }
  };
  visit(root.child, "", new Set([0]));
  return streams;
}

function parseEntry(raw: Buffer): DirectoryEntry {
  const nameBytes = Math.min(64, Math.max(0, raw.readUInt16LE(64) - 2));
  return {
    name: stripLeadingControls(raw.subarray(0, nameBytes).toString("utf16le")),
    type: raw[66]!,
    left: raw.readUInt32LE(68),
    right: raw.readUInt32LE(72),
    child: raw.readUInt32LE(76),
    start: raw.readUInt32LE(116),
    size: raw.readUInt32LE(120),
  };
}

/** OLE2 names like "\u0005SummaryInformation" are matched without their leading control characters. */
function stripLeadingControls(name: string): string {
  let start = 0;
  while (start < name.length && name.charCodeAt(start) < 0x20) start++;
  return name.slice(start);
}
