// Runs before `pnpm start` and `pnpm test` so the quick start works on a fresh clone:
// installs the workspace when node_modules is missing or older than the lockfile.
import { execSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const marker = "node_modules/.modules.yaml";
const stale = !existsSync(marker) || statSync("pnpm-lock.yaml").mtimeMs > statSync(marker).mtimeMs;
if (stale) {
  console.log("[securecontext] installing dependencies (pnpm install --frozen-lockfile)…");
  execSync("pnpm install --frozen-lockfile", { stdio: "inherit" });
}
