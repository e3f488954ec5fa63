import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources, not a possibly stale dist/ build.
    alias: [
      { find: "@kiln/kernel-lib/spec", replacement: source("./kernel-lib/src/spec/index.ts") },
      { find: /^@kiln\/kernel-lib$/, replacement: source("./kernel-lib/src/index.ts") },
    ],
  },
  test: {
    include: [
      "kernel-lib/src/**/*.test.ts",
      "server/src/**/*.test.ts",
      "extension/src/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    globalSetup: ["test/setup/mlflow-server.ts"],
    // Native addons (tfjs-node) are safest in child processes rather than worker threads.
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
