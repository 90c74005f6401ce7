// Runs first in `pnpm start` and `pnpm test` (pnpm 10 skips pre-scripts) so the quick start works on
// a fresh clone: installs the workspace when node_modules is missing or older than the lockfile.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const marker = "node_modules/.modules.yaml";
const stale = !existsSync(marker) || statSync("pnpm-lock.yaml").mtimeMs > statSync(marker).mtimeMs;
if (stale) {
  console.log("[securecontext] installing dependencies (pnpm install --frozen-lockfile)…");
  // Under `npx pnpm@10 …` pnpm is not on PATH; npm_execpath points at the running pnpm.
  const execPath = process.env.npm_execpath;
  const [command, args] =
    execPath && /pnpm\.c?js$/.test(execPath)
      ? [process.execPath, [execPath, "install", "--frozen-lockfile"]]
      : ["pnpm", ["install", "--frozen-lockfile"]];
  execFileSync(command, args, { stdio: "inherit" });
}
