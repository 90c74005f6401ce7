// `pnpm bench`: runs every benchmark under packages/*/bench and apps/*/bench one after another
// (they share two cores, so never in parallel) and prints each one's report.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const roots = ["packages", "apps"];
const files = [];
for (const root of roots) {
  for (const pkg of readdirSync(root)) {
    const dir = join(root, pkg, "bench");
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) {
      if (/\.bench\.(ts|mjs)$/.test(file)) files.push(join(dir, file));
    }
  }
}
const only = process.argv.slice(2);
let failed = 0;
for (const file of files) {
  if (only.length && !only.some((name) => file.includes(name))) continue;
  console.log(`\n=== ${file}`);
  try {
    execFileSync(
      process.execPath,
      ["--import", "tsx", "--conditions=@securecontext/source", "--expose-gc", file],
      {
        stdio: "inherit",
      },
    );
  } catch {
    failed++;
    console.error(`bench failed: ${file}`);
  }
}
process.exit(failed ? 1 : 0);
