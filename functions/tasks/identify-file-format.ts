import path from "node:path";
import type { EventRecord, FileRecord } from "../core/model.ts";
import type { TaskModule } from "../core/task-module.ts";
import {
  createIdentifier,
  type Identification,
  type Identifier,
  loadContainerSignatures,
  loadSignatureFile,
  loadSignatureFolder,
} from "../identify/index.ts";
import { fileEvent } from "./events.ts";

/** Files identified at once within a batch. */
const CONCURRENCY = 8;

const identifiers = new Map<string, Promise<Identifier>>();

/**
 * One identifier per signature files and process: loading a DROID signature file takes a moment,
 * a batch takes milliseconds. An empty path means the official PRONOM file the project ships.
 */
export function identifierFor(signatureFile: string, containerFile: string): Promise<Identifier> {
  const key = `${signatureFile}\0${containerFile}`;
  let cached = identifiers.get(key);
  if (!cached) {
    cached = (async () => {
      const shipped = signatureFile && containerFile ? null : await loadSignatureFolder();
      return createIdentifier({
        signatures: signatureFile ? await loadSignatureFile(signatureFile) : shipped!.signatures,
        containers: containerFile ? await loadContainerSignatures(containerFile) : shipped!.containers,
      });
    })();
    cached.catch(() => identifiers.delete(key));
    identifiers.set(key, cached);
  }
  return cached;
}

/**
 * Identify file format: the PRONOM engine (the shipped official DROID and container signature files,
 * or those named by signature_file / container_signature_file) on each file of the batch.
 * The PUID, name, version and MIME type go on the file; a "format identification" event records
 * the tool, its signatures, the PUID and the basis. A file that cannot be read fails the task.
 */
export const identifyFileFormat: TaskModule = {
  name: "identify-file-format",
  command: "identify-file-format (stepmatica PRONOM engine)",
  async run(ctx) {
    const signatureFile = ctx.config.signature_file ?? "";
    const containerFile = ctx.config.container_signature_file ?? "";
    let identifier: Identifier;
    try {
      identifier = await identifierFor(signatureFile, containerFile);
    } catch (error) {
      ctx.stderr(`cannot load signatures: ${(error as Error).message}`);
      return { exitCode: 1 };
    }
    const paths = ctx.files.map((f) => path.join(ctx.unitPath, ...f.path.split("/")));
    const results = await identifier.identifyMany(paths, CONCURRENCY);
    const { tool } = identifier;
    const updates: Array<Partial<FileRecord> & { id: string }> = [];
    const events: EventRecord[] = [];
    let unreadable = 0;
    ctx.files.forEach((file, i) => {
      const id = results[i]!;
      if (id.basis === "error") {
        unreadable += 1;
        ctx.stderr(`${file.path}: ${id.detail ?? "cannot be read"}`);
      }
      if (id.puid) {
        updates.push({
          id: file.id,
          puid: id.puid,
          formatName: id.format,
          formatVersion: id.version,
          mime: id.mime,
        });
      }
      events.push(
        fileEvent(ctx, file, "format identification", {
          detail: `program="${tool.name}"; version="${tool.version}"; signatures="${tool.signatureVersion}"`,
          outcome: id.basis === "error" ? "failure" : id.puid ? "success" : "warning",
          outcomeDetail: outcomeDetail(id),
        }),
      );
    });
    const identified = updates.length;
    ctx.stdout(
      `identified ${identified} of ${ctx.files.length} file(s) with ${tool.name} ${tool.version} (${tool.signatureVersion})`,
    );
    return { exitCode: unreadable > 0 ? 1 : 0, fileUpdates: updates, events, output: { identified } };
  },
};

function outcomeDetail(id: Identification): string {
  if (!id.puid) return id.basis === "error" ? `not identified: ${id.detail ?? "error"}` : "not identified";
  const format = [id.format, id.version].filter(Boolean).join(" ");
  const basis = id.detail ? `${id.basis}: ${id.detail}` : id.basis;
  const warning = id.warning ? `; warning: ${id.warning}` : "";
  return `${id.puid} (${format}); basis: ${basis}${warning}`;
}
