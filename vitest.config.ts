import { defineConfig } from "vitest/config";
import { cloudflareTest } from "@cloudflare/vitest-plugin";

export default defineConfig({
  test: {
    // Two cores: the end-to-end and reliability files each run a workerd, so no more than two files
    // run at once across all projects (timing-sensitive tests are otherwise starved).
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "k8s-bridge/**/*.test.ts"],
          exclude: ["src/**/*.runtime.test.ts", "node_modules/**"],
          environment: "node",
        },
      },
      {
        // Inside workerd (Miniflare), with a Worker Loader for revision isolates.
        plugins: [
          cloudflareTest({
            miniflare: {
              compatibilityDate: "2025-09-01",
              compatibilityFlags: ["nodejs_compat"],
              workerLoaders: { LOADER: {} },
            },
          }),
        ],
        test: {
          name: "runtime",
          include: ["src/**/*.runtime.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Each file starts its own workerd; two cores run two files at a time at most.
          maxWorkers: 2,
        },
      },
      {
        // Faults, overload, fuzzing and security against real workerd (docs/reliability.md).
        test: {
          name: "reliability",
          include: ["test/reliability/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
        },
      },
    ],
  },
});
