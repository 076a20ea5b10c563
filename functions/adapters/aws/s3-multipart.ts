import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";

export interface MultipartTarget {
  client: S3Client;
  bucket: string;
  key: string;
  metadata: Record<string, string>;
}

/**
 * Uploads a local file in parts, each sent with its own SHA-256 (S3 verifies every part and keeps a
 * composite checksum). Driven by hand rather than lib-storage's Upload so each part's checksum is
 * computed from the file and sent as a header with a known length — a streamed body with
 * ChecksumAlgorithm makes the SDK use aws-chunked trailers, which S3-compatible servers such as s3rver
 * store verbatim (chunk framing included). The object appears only when the upload completes;
 * a failure aborts the upload so no parts are left behind.
 */
export async function uploadMultipart(
  target: MultipartTarget,
  localPath: string,
  size: number,
  partSize: number,
  concurrency: number,
): Promise<void> {
  const { client, bucket, key } = target;
  const created = await client.send(
    new CreateMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      ChecksumAlgorithm: "SHA256",
      Metadata: target.metadata,
    }),
  );
  const uploadId = created.UploadId!;
  const partCount = Math.ceil(size / partSize);
  const parts: Array<{ PartNumber: number; ETag: string; ChecksumSHA256: string }> = [];
  const file = await open(localPath, "r");
  try {
    let next = 0;
    const worker = async () => {
      while (next < partCount) {
        const index = next++;
        const length = Math.min(partSize, size - index * partSize);
        const body = Buffer.alloc(length);
        const { bytesRead } = await file.read(body, 0, length, index * partSize);
        if (bytesRead !== length)
          throw new Error(`${localPath} changed while uploading to s3://${bucket}/${key}`);
        const checksum = createHash("sha256").update(body).digest("base64");
        const uploaded = await client.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: index + 1,
            Body: body,
            ContentLength: length,
            ChecksumSHA256: checksum,
          }),
        );
        parts.push({ PartNumber: index + 1, ETag: uploaded.ETag!, ChecksumSHA256: checksum });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, partCount) }, worker));
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (error) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
      .catch(() => undefined); // the bucket's lifecycle rule cleans up what an abort cannot
    throw error;
  } finally {
    await file.close();
  }
}
