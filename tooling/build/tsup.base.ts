import type { Options } from "tsup";

/**
 * The one build config every package spreads.
 *
 * ESM only: our core dependencies (openid-client 6, jose 6, oidc-provider 9) are ESM-only, and
 * Node >= 20.19 can `require()` ES modules, so a CJS twin would only add a dual-package hazard.
 * Switching bundlers later touches this file alone.
 */
export function packageBuild(entry: Record<string, string>, overrides: Options = {}): Options {
  return {
    entry,
    format: ["esm"],
    target: "node20",
    platform: "neutral",
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    outDir: "dist",
    ...overrides,
  };
}
