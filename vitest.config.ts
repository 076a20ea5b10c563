import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // vitest's default is availableParallelism() - 1: one worker on a 2-core CI machine, so files ran
    // one at a time while most of them wait on child processes, sockets and timers. Two workers
    // measured 5:10 instead of 9:14 wall for eight such files (BENCHMARKS.md, "Test suite cost").
    // `--maxWorkers=1` on the command line restores one-at-a-time.
    maxWorkers: 2,
    reporters: ["default", "./test/summary-reporter.ts"],
    globalSetup: ["./test/run-tmpdir.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "default",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/infra/**"],
        },
      },
      {
        // The infra files share one worker process per worker slot (no isolation), so aws-cdk-lib is
        // loaded and the default app synthesized once per worker, not once per file
        // (test/infra/synth.ts sharedSynthesis). They change no global state.
        extends: true,
        test: { name: "infra", include: ["test/infra/**/*.test.ts"], isolate: false },
      },
    ],
  },
});
