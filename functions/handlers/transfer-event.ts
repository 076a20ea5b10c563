import path from "node:path";
import { v5 as uuidv5 } from "uuid";
import { z } from "zod";
import { validateKey } from "../adapters/aws/s3-object-store.ts";

/**
 * An S3 "Object Created" event as EventBridge delivers it. Unlike S3 event notifications (SQS, SNS,
 * direct Lambda triggers), EventBridge carries the object key as it is, NOT URL-encoded: "a b+c.zip"
 * arrives as "a b+c.zip", so the key is used verbatim (decoding it would corrupt keys holding "+" or "%").
 */
export const ObjectCreatedEventSchema = z.object({
  source: z.literal("aws.s3"),
  "detail-type": z.literal("Object Created"),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative(),
      etag: z.string().min(1),
      "version-id": z.string().optional(),
    }),
    reason: z.string().optional(),
  }),
});

/** Packages a transfer may be uploaded as. A folder upload is many objects, one event each: not handled. */
export const PACKAGE_EXTENSIONS = [".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".zip", ".tar", ".7z"] as const;

/** Namespace of transfer ids derived from an uploaded object. */
export const S3_TRANSFER_NAMESPACE = "0b4c61f2-6d1e-5a0e-9a57-3f7d5c2b8e41";

export interface TransferEventSettings {
  transferBucket: string;
  transferPrefix: string;
  maxTransferBytes: number;
}

export interface UploadedObject {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  versionId: string | null;
}

export type TransferEventCheck =
  | { ok: true; object: UploadedObject; transferId: string; name: string; source: string }
  | { ok: false; reason: string; bucket?: string; key?: string };

/** An ETag as S3 returns it from PutObject ("\"abc\"") or as events carry it (abc): the bare value. */
export const bareEtag = (etag: string) => etag.replace(/^"|"$/g, "");

/**
 * The transfer id of one upload: the same object version always gives the same id (so the same
 * execution name, which makes a redelivered event a no-op), a new upload under the same key a new one.
 * Without bucket versioning the ETag stands in for the version: re-uploading identical bytes is the same transfer.
 */
export function transferIdOf(bucket: string, key: string, versionId: string | null, etag: string): string {
  const version = versionId && versionId !== "null" ? `version:${versionId}` : `etag:${bareEtag(etag)}`;
  return uuidv5(`s3://${bucket}/${key}#${version}`, S3_TRANSFER_NAMESPACE);
}

/** The package extension of a key (longest match), or null. */
export function packageExtension(key: string): string | null {
  const lower = key.toLowerCase();
  return PACKAGE_EXTENSIONS.find((ext) => lower.endsWith(ext)) ?? null;
}

/** s3://bucket/key with each key segment percent-encoded, so that stage-transfer's URL parsing gives the key back. */
export const s3Source = (bucket: string, key: string) =>
  `s3://${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;

/** Checks an event against what the pipeline accepts; the reason names what is wrong and where. */
export function checkTransferEvent(event: unknown, settings: TransferEventSettings): TransferEventCheck {
  const parsed = ObjectCreatedEventSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      reason: `not an S3 "Object Created" event: ${issue?.path.join(".") || "event"}: ${issue?.message}`,
    };
  }
  const { bucket, object } = parsed.data.detail;
  const where = { bucket: bucket.name, key: object.key };
  const refuse = (reason: string): TransferEventCheck => ({ ok: false, reason, ...where });
  if (bucket.name !== settings.transferBucket)
    return refuse(`bucket ${bucket.name} is not the transfer bucket ${settings.transferBucket}`);
  if (!object.key.startsWith(settings.transferPrefix))
    return refuse(`key is outside the transfer prefix "${settings.transferPrefix}"`);
  try {
    validateKey(object.key);
  } catch (error) {
    return refuse((error as Error).message);
  }
  const ext = packageExtension(object.key);
  if (!ext) {
    return refuse(
      `not a transfer package: the name must end with ${PACKAGE_EXTENSIONS.join(" ")} (upload a folder as one package)`,
    );
  }
  const name = path.posix.basename(object.key).slice(0, -ext.length);
  if (name.length === 0) return refuse(`the package has no name before ${ext}`);
  if (object.size === 0) return refuse("the object is empty");
  if (object.size > settings.maxTransferBytes)
    return refuse(`object is ${object.size} bytes, over the limit of ${settings.maxTransferBytes} bytes`);
  const versionId = object["version-id"] ?? null;
  return {
    ok: true,
    object: { bucket: bucket.name, key: object.key, size: object.size, etag: object.etag, versionId },
    transferId: transferIdOf(bucket.name, object.key, versionId, object.etag),
    name,
    source: s3Source(bucket.name, object.key),
  };
}
