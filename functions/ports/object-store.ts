import type { Readable } from "node:stream";

export interface StoredObject {
  key: string;
  size: number;
  sha256: string;
}

/** S3, or a local folder. Keys use "/" separators and never start with "/" or contain "..". */
export interface ObjectStore {
  /** Streams a local file into the store (written under a temporary name, then renamed / completed). */
  putFile(key: string, localPath: string, options?: { sha256?: string }): Promise<StoredObject>;
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
