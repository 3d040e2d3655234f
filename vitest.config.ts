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
        },
      },
      {
        test: {
          name: "cluster",
          include: ["test/integration/**/*.test.ts", "test/e2e/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 240_000,
          pool: "forks",
          maxWorkers: 3,
        },
      },
    ],
  },
});
