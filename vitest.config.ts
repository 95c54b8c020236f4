import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
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
    ],
  },
});
