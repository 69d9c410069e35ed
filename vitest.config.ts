import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The end-to-end tier needs the local real cluster: `npm run test:cluster` (vitest.cluster.config.ts).
    exclude: ["test/cluster-e2e/**", "**/node_modules/**"],
    // Real JVMs and real profiles take seconds; the machine has two cores.
    testTimeout: 180_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
