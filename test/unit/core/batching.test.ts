import { describe, expect, it } from "vitest";
import { batchFiles } from "../../../functions/core/dispatch-job.ts";
import { findJob, WORKFLOWS } from "../../../workflows/index.ts";
import type { JobNode } from "../../../workflows/schema.ts";

const originals = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `file-${i}`, group: "original" as const }));

const job = (id: string): JobNode => {
  const found = findJob(id);
  if (!found) throw new Error(`no job ${id}`);
  return found;
};

const sizes = (batches: unknown[][]) => batches.map((batch) => batch.length);

describe("files per task of the workflows' per-file jobs", () => {
  it("gives quick per-file work 256 files a task, identification and normalization 128, the scan 2,500", () => {
    const files = originals(600);
    for (const quick of ["assign_checksums", "characterize_and_extract_metadata", "validate_formats"])
      expect(sizes(batchFiles(files, job(quick))), quick).toEqual([256, 256, 88]);
    for (const short of ["identify_file_format", "normalize_for_preservation"])
      expect(sizes(batchFiles(files, job(short))), short).toEqual([128, 128, 128, 128, 88]);
    expect(sizes(batchFiles(files, job("scan_for_viruses")))).toEqual([600]);
  });

  it("keeps every light job's tasks within Archivematica's 128 files: they must finish inside the run-tasks Lambda", () => {
    const light = Object.values(WORKFLOWS)
      .flatMap((workflow) => workflow.nodes)
      .filter(
        (node): node is JobNode => node.kind === "job" && node.scope === "file" && node.queue === "light",
      );
    expect(light.map((node) => node.id)).toContain("identify_file_format");
    for (const node of light) {
      const largest = Math.max(...sizes(batchFiles(originals(1000), node)));
      expect(largest, node.id).toBeLessThanOrEqual(128);
    }
  });

  it("lets a caller's default (a test's one file a task) apply where a job sets no size of its own", () => {
    expect(sizes(batchFiles(originals(3), job("assign_checksums"), 1))).toEqual([1, 1, 1]);
    expect(sizes(batchFiles(originals(3), job("scan_for_viruses"), 1))).toEqual([3]);
  });
});
