import { defineConfig } from "vitest/config";

// Tests import workspace packages from source through the "@securecontext/source" export condition,
// so `vitest` needs no build step for library code.
const conditions = ["@securecontext/source", "module", "node", "development|production"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@securecontext/source"] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "int",
          include: [
            "packages/*/test/**/*.int.test.ts",
            "apps/*/test/**/*.int.test.ts",
            "examples/*/test/**/*.test.ts",
          ],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
