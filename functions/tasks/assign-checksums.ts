import path from "node:path";
import type { EventRecord, FileRecord } from "../core/model.ts";
import type { TaskModule } from "../core/task-module.ts";
import { fileEvent } from "./events.ts";
import { digestFile } from "./hashing.ts";

/** Files hashed at once within a batch: enough to overlap reads with hashing, few enough to bound memory. */
const CONCURRENCY = 4;

/** Streams each file of the batch once for its SHA-256 and size; records "message digest calculation". */
export const assignChecksums: TaskModule = {
  name: "assign-checksums",
  command: "assign-checksums (sha256, node:crypto)",
  async run(ctx) {
    // Results kept by position: the outcome lists files in batch order however the hashing interleaves,
    // so a retry records exactly what the first attempt would have.
    const results: Array<
      { update: Pick<FileRecord, "id" | "sha256" | "size">; event: EventRecord } | { error: string }
    > = [];
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < ctx.files.length; index = next++) {
        const file = ctx.files[index]!;
        try {
          const { size, digests } = await digestFile(
            path.join(ctx.unitPath, ...file.path.split("/")),
            ["sha256"],
            ctx.signal,
          );
          results[index] = {
            update: { id: file.id, sha256: digests.sha256!, size },
            event: fileEvent(ctx, file, "message digest calculation", {
              detail: `program="node:crypto"; version="${process.versions.openssl}"`,
              outcome: "success",
              outcomeDetail: digests.sha256!,
            }),
          };
        } catch (error) {
          results[index] = { error: `${file.path}: cannot read for checksum: ${(error as Error).message}` };
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const updates: Array<Pick<FileRecord, "id" | "sha256" | "size">> = [];
    const events: EventRecord[] = [];
    let failed = 0;
    for (const result of results) {
      if ("error" in result) {
        failed += 1;
        ctx.stderr(result.error);
      } else {
        updates.push(result.update);
        events.push(result.event);
      }
    }
    ctx.stdout(`checksummed ${updates.length} file(s)`);
    return { exitCode: failed > 0 ? 1 : 0, fileUpdates: updates, events };
  },
};
