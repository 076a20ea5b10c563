import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["default", "./test/summary-reporter.ts"],
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
