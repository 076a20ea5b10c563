import path from "node:path";
import { mapLimit } from "../core/concurrency.ts";
import { digestFile } from "../core/digest.ts";
import type { EventRecord, FileRecord } from "../core/model.ts";
import type { TaskModule } from "../core/task-module.ts";
import { fileEvent } from "./events.ts";

/** Files hashed at once within a batch: enough to overlap reads with hashing, few enough to bound memory. */
const CONCURRENCY = 4;

/** Streams each file of the batch once for its SHA-256 and size; records "message digest calculation". */
export const assignChecksums: TaskModule = {
  name: "assign-checksums",
  command: "assign-checksums (sha256, node:crypto)",
  async run(ctx) {
    // mapLimit keeps results in batch order however the hashing interleaves, so a retry records
    // exactly what the first attempt would have.
    const results = await mapLimit(
      ctx.files,
      CONCURRENCY,
      async (
        file,
      ): Promise<
        { update: Pick<FileRecord, "id" | "sha256" | "size">; event: EventRecord } | { error: string }
      > => {
        try {
          const { size, digests } = await digestFile(
            path.join(ctx.unitPath, ...file.path.split("/")),
            ["sha256"],
            ctx.signal,
          );
          return {
            update: { id: file.id, sha256: digests.sha256!, size },
            event: fileEvent(ctx, file, "message digest calculation", {
              detail: `program="node:crypto"; version="${process.versions.openssl}"`,
              outcome: "success",
              outcomeDetail: digests.sha256!,
            }),
          };
        } catch (error) {
          return { error: `${file.path}: cannot read for checksum: ${(error as Error).message}` };
        }
      },
    );
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
