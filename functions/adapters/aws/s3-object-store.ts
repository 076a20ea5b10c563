import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import type { ObjectStore, PutOptions, StoredObject } from "../../ports/object-store.ts";
import { errorName } from "./retry.ts";
import { uploadMultipart } from "./s3-multipart.ts";

export interface S3ObjectStoreOptions {
  bucket: string;
  /** Prepended to every key ("aips/"), so one bucket can hold several stores. */
  keyPrefix?: string;
  /** The SDK client, or its configuration (region, endpoint, forcePathStyle: AWS_ENDPOINT_URL_S3 also works). */
  client?: S3Client;
  clientConfig?: S3ClientConfig;
  /** Files at least this large go up in parts of partSizeBytes (S3's minimum part is 5 MiB). */
  multipartThresholdBytes?: number;
  partSizeBytes?: number;
  /** Parts in flight at once. */
  concurrency?: number;
}

const MiB = 1024 * 1024;

/** Keys as the port defines them: "/"-separated, no leading "/", no "." or ".." segment, no empty segment. */
export function validateKey(key: string, what = "key"): string {
  const bad =
    key.length === 0 ||
    key.startsWith("/") ||
    [...key].some((ch) => ch === "\\" || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) ||
    key
      .split("/")
      .some(
        (segment, i, all) => segment === "." || segment === ".." || (segment === "" && i < all.length - 1),
      );
  if (bad)
    throw new Error(
      `invalid object ${what} ${JSON.stringify(key)}: use "/"-separated names without "..", "." or a leading "/"`,
    );
  return key;
}

async function sha256OfStream(stream: Readable): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly threshold: number;

  constructor(private readonly options: S3ObjectStoreOptions) {
    this.client = options.client ?? new S3Client(options.clientConfig ?? {});
    this.prefix = options.keyPrefix ?? "";
    if (this.prefix) validateKey(this.prefix, "key prefix");
    this.partSize = Math.max(5 * MiB, options.partSizeBytes ?? 16 * MiB);
    this.threshold = options.multipartThresholdBytes ?? this.partSize;
  }

  async putFile(key: string, localPath: string, options: PutOptions = {}): Promise<StoredObject> {
    const fullKey = this.fullKey(key);
    const { size } = await stat(localPath);
    const sha256 = await sha256OfStream(createReadStream(localPath));
    if (options.sha256 && options.sha256.toLowerCase() !== sha256) {
      throw new Error(
        `checksum mismatch storing ${key}: expected ${options.sha256}, ${localPath} hashes to ${sha256}`,
      );
    }
    const metadata = { sha256 };
    if (size >= this.threshold) {
      const target = { client: this.client, bucket: this.options.bucket, key: fullKey, metadata };
      await uploadMultipart(target, localPath, size, this.partSize, this.options.concurrency ?? 4);
    } else {
      // The checksum travels as a header (S3 rejects the upload if the bytes differ); see s3-multipart.ts.
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: fullKey,
          Body: createReadStream(localPath),
          ContentLength: size,
          ChecksumSHA256: Buffer.from(sha256, "hex").toString("base64"),
          Metadata: metadata,
        }),
      );
    }
    return { key, size, sha256 };
  }

  async getToFile(key: string, localPath: string): Promise<void> {
    const body = await this.openRead(key);
    await mkdir(path.dirname(localPath), { recursive: true });
    // Beside the target, but never longer than the 255-byte name limit (an uploaded key's name may be that long).
    const temp = path.join(path.dirname(localPath), `.partial-${randomUUID()}`);
    try {
      await pipeline(body, createWriteStream(temp));
      await rename(temp, localPath);
    } finally {
      await rm(temp, { force: true });
    }
  }

  async openRead(key: string): Promise<Readable> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.fullKey(key) }),
      );
      return response.Body as Readable;
    } catch (error) {
      if (errorName(error) === "NoSuchKey")
        throw new Error(`object ${key} not found at ${this.locationOf(key)}`);
      throw error;
    }
  }

  async readRange(key: string, offset: number, length: number): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0);
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: this.fullKey(key),
          Range: `bytes=${offset}-${offset + length - 1}`,
        }),
      );
      return Buffer.from(await response.Body!.transformToByteArray());
    } catch (error) {
      if (errorName(error) === "NoSuchKey")
        throw new Error(`object ${key} not found at ${this.locationOf(key)}`);
      // A range that starts past the end: nothing there, as a file read past its end gives.
      if (errorName(error) === "InvalidRange") return Buffer.alloc(0);
      throw error;
    }
  }

  async head(key: string): Promise<{ size: number } | null> {
    try {
      const response = await this.client.send(
        new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.fullKey(key) }),
      );
      return { size: response.ContentLength ?? 0 };
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (errorName(error) === "NotFound" || errorName(error) === "NoSuchKey" || status === 404) return null;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    const Prefix = this.prefix + prefix;
    for await (const page of paginateListObjectsV2(
      { client: this.client },
      { Bucket: this.options.bucket, Prefix },
    )) {
      for (const object of page.Contents ?? []) {
        if (object.Key) yield object.Key.slice(this.prefix.length);
      }
    }
  }

  async sha256(key: string): Promise<string> {
    return sha256OfStream(await this.openRead(key));
  }

  /**
   * S3's own full-object SHA-256 (kept and checked by S3 since the upload sent it), or null: objects
   * uploaded in parts carry a composite checksum of their parts, which is not the file's digest.
   */
  async storedSha256(key: string): Promise<string | null> {
    const response = await this.client.send(
      new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.fullKey(key), ChecksumMode: "ENABLED" }),
    );
    const checksum = response.ChecksumSHA256;
    if (!checksum || checksum.includes("-") || response.ChecksumType === "COMPOSITE") return null;
    return Buffer.from(checksum, "base64").toString("hex");
  }

  locationOf(key: string): string {
    return `s3://${this.options.bucket}/${this.fullKey(key)}`;
  }

  private fullKey(key: string): string {
    return this.prefix + validateKey(key);
  }
}
