import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources, not a possibly stale dist/ build.
    alias: {
      "@kiln/kernel-lib": fileURLToPath(new URL("./kernel-lib/src/index.ts", import.meta.url)),
    },
  },
  test: {
    include: ["kernel-lib/src/**/*.test.ts", "server/src/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/setup/mlflow-server.ts"],
    // Native addons (tfjs-node) are safest in child processes rather than worker threads.
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
