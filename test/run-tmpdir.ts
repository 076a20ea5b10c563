import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// vitest globalSetup: every temporary file a test (or a tool it starts) makes goes into one folder
// per vitest run, removed when the run ends. Synthesized apps, copied Lambda bundles and generated
// transfers left ~450 MB in /tmp per suite run when each test cleaned up after itself only on success.
// Both projects (default, infra) run this setup; the first one makes the folder, the other reuses it.
const SHARED_MARKER = "STEPMATICA_TEST_RUN_TMPDIR";

export default function setup(): (() => void) | undefined {
  if (process.env[SHARED_MARKER]) return undefined;
  const folder = mkdtempSync(join(tmpdir(), "stepmatica-test-run-"));
  process.env[SHARED_MARKER] = folder;
  process.env.TMPDIR = folder;
  return () => {
    rmSync(folder, { recursive: true, force: true });
    delete process.env[SHARED_MARKER];
  };
}
