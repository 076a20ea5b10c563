import type { Reporter, TestModule } from "vitest/node";

/**
 * Ends the run with the plain "N passed, N failed, N skipped" line that CI reads. "skipped" counts
 * only tests filtered out or marked skip/todo; a test whose suite could not start counts as failed.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed += 1;
        else if (state === "failed") failed += 1;
        else if (test.options.mode === "skip" || test.options.mode === "todo") skipped += 1;
        // Meant to run but never ran (its beforeAll failed, e.g. Chromium missing): a failure, not a skip.
        else failed += 1;
      }
      if (module.state() === "failed" && [...module.children.allTests()].length === 0) failed += 1;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
