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
    const updates: Array<Pick<FileRecord, "id" | "sha256" | "size">> = [];
    const events: EventRecord[] = [];
    let failed = 0;
    const queue = [...ctx.files];
    const worker = async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        try {
          const { size, digests } = await digestFile(
            path.join(ctx.unitPath, ...file.path.split("/")),
            ["sha256"],
            ctx.signal,
          );
          updates.push({ id: file.id, sha256: digests.sha256!, size });
          events.push(
            fileEvent(ctx, file, "message digest calculation", {
              detail: `program="node:crypto"; version="${process.versions.openssl}"`,
              outcome: "success",
              outcomeDetail: digests.sha256!,
            }),
          );
        } catch (error) {
          failed += 1;
          ctx.stderr(`${file.path}: cannot read for checksum: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    ctx.stdout(`checksummed ${updates.length} file(s)`);
    return { exitCode: failed > 0 ? 1 : 0, fileUpdates: updates, events };
  },
};
