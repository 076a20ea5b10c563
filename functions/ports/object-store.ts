import type { Readable } from "node:stream";

export interface StoredObject {
  key: string;
  size: number;
  sha256: string;
  /**
   * True when `sha256` is the digest of the bytes as stored, hashed by the store itself while
   * storing (a local folder: its copy before the copy takes its name, or the linked file): a fixity
   * check right after storing would read the same bytes again. Absent when it is the digest of the
   * local file sent (S3: the stored bytes are only known by reading the object).
   */
  storedBytesHashed?: boolean;
}

export interface PutOptions {
  /** The SHA-256 the file must have: a put whose bytes hash otherwise fails (the store keeps none of them). */
  sha256?: string;
  /**
   * The caller hands the file over: it will not change it again (it may delete it). A store on the
   * same file system may then give the object the file itself (a hard link) instead of a copy.
   */
  handOver?: boolean;
}

/** S3, or a local folder. Keys use "/" separators and never start with "/" or contain "..". */
export interface ObjectStore {
  /**
   * Streams a local file into the store: written under a temporary name, then renamed / completed,
   * or linked whole (a handed-over file); an object is never seen half-written.
   */
  putFile(key: string, localPath: string, options?: PutOptions): Promise<StoredObject>;
  /** Streams an object onto a local file. */
  getToFile(key: string, localPath: string): Promise<void>;
  openRead(key: string): Promise<Readable>;
  /** `length` bytes from `offset` (fewer at the end): a ZIP's directory without the whole object. */
  readRange(key: string, offset: number, length: number): Promise<Buffer>;
  head(key: string): Promise<{ size: number } | null>;
  list(prefix: string): AsyncIterable<string>;
  /** Re-reads the stored bytes and returns their SHA-256 (fixity check after storing). */
  sha256(key: string): Promise<string>;
  /**
   * The SHA-256 the store itself keeps and verifies for the whole object (S3's full-object
   * ChecksumSHA256), or null when it keeps none; absent on stores that have no such checksum.
   */
  storedSha256?(key: string): Promise<string | null>;
  /** Where a person finds the object: a file path or an s3:// URL. */
  locationOf(key: string): string;
}
