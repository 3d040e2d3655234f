import { defineConfig } from "vitest/config";

// Two projects: "unit" needs nothing but Node; "cluster" runs against the real
// local control plane and Git server, brought up once per run by globalSetup.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/integration/**", "test/e2e/**"],
          // bounds, not expectations: unit tests that start a Git server or
          // spawn git must pass on a busy two-core machine (CI shares it)
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "cluster",
          include: ["test/integration/**/*.test.ts", "test/e2e/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: "forks",
          maxWorkers: 3,
        },
      },
    ],
  },
});
