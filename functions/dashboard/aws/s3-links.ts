import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { AipRecord } from "../../core/model.ts";
import type { AipDownload, TransferIntake } from "../types.ts";

const DOWNLOAD_SECONDS = 15 * 60;
const UPLOAD_SECONDS = 60 * 60;

export function parseS3Url(location: string): { bucket: string; key: string } | null {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  return m ? { bucket: m[1]!, key: m[2]! } : null;
}

/** AIP downloads as presigned GETs, only from the AIP bucket, only for an AIP stored as one object. */
export function s3AipDownload(s3: S3Client, aipBucket: string) {
  return async (aip: AipRecord): Promise<AipDownload> => {
    const where = parseS3Url(aip.location);
    if (!where || where.bucket !== aipBucket)
      return {
        kind: "unavailable",
        reason: `the AIP at ${aip.location} is not in the AIP bucket ${aipBucket}`,
      };
    const exists = await s3
      .send(new HeadObjectCommand({ Bucket: where.bucket, Key: where.key }))
      .then(() => true)
      .catch((error: { name?: string }) => {
        if (error.name === "NotFound" || error.name === "NoSuchKey") return false;
        throw error;
      });
    if (!exists)
      return {
        kind: "unavailable",
        reason: `the AIP is an uncompressed folder under ${aip.location}: fetch its objects from the bucket`,
      };
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: where.bucket, Key: where.key }), {
      expiresIn: DOWNLOAD_SECONDS,
    });
    return { kind: "url", url, expiresInSeconds: DOWNLOAD_SECONDS };
  };
}

/** Transfers start on AWS by an upload to the transfer bucket (its ObjectCreated event starts the run). */
export function s3TransferUploads(s3: S3Client, bucket: string, prefix: string): TransferIntake {
  return {
    kind: "upload",
    async presignUpload(filename: string) {
      const key = `${prefix}${filename}`;
      const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key }), {
        expiresIn: UPLOAD_SECONDS,
      });
      return { url, key, expiresInSeconds: UPLOAD_SECONDS };
    },
  };
}
