import { crc32, deflateRawSync } from "node:zlib";

/** A minimal ZIP writer (deflated entries, central directory, EOCD) for test fixtures. */
export function writeZip(entries: { name: string; data: Buffer | string; store?: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data, "utf8");
    const name = Buffer.from(entry.name, "utf8");
    const body = entry.store ? data : deflateRawSync(data);
    const method = entry.store ? 0 : 8;
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const SECTOR = 512;
const MINI = 64;
const CUTOFF = 4096;
const END = 0xfffffffe;
const FREE = 0xffffffff;
const FAT_MARK = 0xfffffffd;

interface Node {
  name: string;
  type: 1 | 2 | 5;
  data?: Buffer;
  children: Node[];
  start: number;
  size: number;
}

/** A minimal OLE2 (CFB v3) writer: small streams in the mini stream, paths "Storage/Stream". */
export function writeOle2(streams: { path: string; data: Buffer | string }[]): Buffer {
  const root: Node = { name: "Root Entry", type: 5, children: [], start: END, size: 0 };
  for (const stream of streams) {
    const parts = stream.path.split("/");
    let parent = root;
    for (const part of parts.slice(0, -1)) {
      let child = parent.children.find((c) => c.name === part && c.type === 1);
      if (!child) {
        child = { name: part, type: 1, children: [], start: 0, size: 0 };
        parent.children.push(child);
      }
      parent = child;
    }
    const data = Buffer.isBuffer(stream.data) ? stream.data : Buffer.from(stream.data, "utf8");
    parent.children.push({
      name: parts[parts.length - 1]!,
      type: 2,
      data,
      children: [],
      start: END,
      size: data.length,
    });
  }
  const nodes: Node[] = [];
  const collect = (node: Node): void => {
    nodes.push(node);
    node.children.forEach(collect);
  };
  collect(root);
  const miniParts: Buffer[] = [];
  const miniFat: number[] = [];
  const bigStreams: Node[] = [];
  for (const node of nodes) {
    if (node.type !== 2 || node.size === 0) continue;
    if (node.size >= CUTOFF) {
      bigStreams.push(node);
      continue;
    }
    const count = Math.ceil(node.size / MINI);
    node.start = miniFat.length;
    for (let i = 0; i < count; i++) miniFat.push(i === count - 1 ? END : miniFat.length + 1);
    miniParts.push(node.data!, Buffer.alloc(count * MINI - node.size));
  }
  const miniStream = Buffer.concat(miniParts);
  root.size = miniStream.length;
  const sectorsOf = (bytes: number): number => Math.ceil(bytes / SECTOR);
  const dirSectors = sectorsOf(nodes.length * 128);
  const miniFatSectors = sectorsOf(miniFat.length * 4);
  const miniStreamSectors = sectorsOf(miniStream.length);
  const bigSectors = bigStreams.reduce((sum, n) => sum + sectorsOf(n.size), 0);
  const dataSectors = dirSectors + miniFatSectors + miniStreamSectors + bigSectors;
  let fatSectors = 1;
  while (fatSectors * (SECTOR / 4) < dataSectors + fatSectors) fatSectors++;
  const fat: number[] = [];
  for (let i = 0; i < fatSectors; i++) fat.push(FAT_MARK);
  const chain = (count: number): number => {
    if (count === 0) return END;
    const start = fat.length;
    for (let i = 0; i < count; i++) fat.push(i === count - 1 ? END : fat.length + 1);
    return start;
  };
  const dirStart = chain(dirSectors);
  const miniFatStart = chain(miniFatSectors);
  root.start = chain(miniStreamSectors);
  for (const node of bigStreams) node.start = chain(sectorsOf(node.size));
  while (fat.length % (SECTOR / 4) !== 0) fat.push(FREE);

  const index = new Map(nodes.map((node, i) => [node, i]));
  const directory = Buffer.alloc(dirSectors * SECTOR);
  nodes.forEach((node, i) => {
    const at = i * 128;
    const name = Buffer.from(`${node.name}\u0000`, "utf16le");
    name.copy(directory, at, 0, Math.min(64, name.length));
    directory.writeUInt16LE(Math.min(64, name.length), at + 64);
    directory[at + 66] = node.type;
    directory[at + 67] = 1;
    directory.writeUInt32LE(FREE, at + 68);
    const parent = nodes.find((p) => p.children.includes(node));
    const siblings = parent?.children ?? [];
    const next = siblings[siblings.indexOf(node) + 1];
    directory.writeUInt32LE(next ? index.get(next)! : FREE, at + 72);
    directory.writeUInt32LE(node.children[0] ? index.get(node.children[0])! : FREE, at + 76);
    directory.writeUInt32LE(node.start, at + 116);
    directory.writeUInt32LE(node.size, at + 120);
  });
  for (let i = nodes.length; i < dirSectors * 4; i++) {
    directory.writeUInt32LE(FREE, i * 128 + 68);
    directory.writeUInt32LE(FREE, i * 128 + 72);
    directory.writeUInt32LE(FREE, i * 128 + 76);
  }
  const header = Buffer.alloc(SECTOR);
  Buffer.from("D0CF11E0A1B11AE1", "hex").copy(header, 0);
  header.writeUInt16LE(0x3e, 24);
  header.writeUInt16LE(3, 26);
  header.writeUInt16LE(0xfffe, 28);
  header.writeUInt16LE(9, 30);
  header.writeUInt16LE(6, 32);
  header.writeUInt32LE(fatSectors, 44);
  header.writeUInt32LE(dirStart, 48);
  header.writeUInt32LE(CUTOFF, 56);
  header.writeUInt32LE(miniFatStart, 60);
  header.writeUInt32LE(miniFatSectors, 64);
  header.writeUInt32LE(END, 68);
  for (let i = 0; i < 109; i++) header.writeUInt32LE(i < fatSectors ? i : FREE, 76 + i * 4);
  const words = (values: number[], sectors: number): Buffer => {
    const out = Buffer.alloc(sectors * SECTOR, 0xff);
    values.forEach((v, i) => {
      out.writeUInt32LE(v, i * 4);
    });
    return out;
  };
  const pad = (data: Buffer): Buffer =>
    Buffer.concat([data, Buffer.alloc(sectorsOf(data.length) * SECTOR - data.length)]);
  return Buffer.concat([
    header,
    words(fat, fatSectors),
    directory,
    words(miniFat, miniFatSectors),
    pad(miniStream),
    ...bigStreams.map((n) => pad(n.data!)),
  ]);
}
