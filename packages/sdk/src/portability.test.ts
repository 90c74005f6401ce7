import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The SDK must run in browsers, Deno, Bun and edge runtimes: no Node built-ins in shipped sources.
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") && entry.name !== "test-streams.ts"
      ? [path]
      : [];
  });
}

describe("portability", () => {
  it("uses no Node-only modules or globals", () => {
    const files = sources(import.meta.dirname);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      // Doc comments may show `process.env` in examples; code may not.
      const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
      expect(text, file).not.toMatch(
        /from\s+["']node:|require\(|\bBuffer\b|\bprocess\.|from\s+["'](fs|path|crypto|http|https|stream)["']/,
      );
    }
  });
});
