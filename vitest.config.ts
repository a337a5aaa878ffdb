import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Tests run against the testkit's source so a change there needs no rebuild.
    alias: { "@meshapi/testkit": fileURLToPath(new URL("./packages/testkit/src/index.ts", import.meta.url)) },
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "packages/*/src/**/*.test.ts", "bench/**/*.test.mjs"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
