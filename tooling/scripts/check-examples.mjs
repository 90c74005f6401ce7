// Type-checks every ```ts block of the published packages' READMEs against the packages' sources,
// so documented examples cannot drift from the API (as openid-client's check-examples does).
// A block opening with ```ts nocheck is skipped (for fragments that are not whole programs).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const roots = ["packages", "apps"];
let count = 0;
const projects = [];
for (const root of roots) {
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    const readme = join(dir, "README.md");
    if (!existsSync(readme)) continue;
    const out = join(dir, ".examples");
    rmSync(out, { recursive: true, force: true });
    const blocks = [
      ...readFileSync(readme, "utf8").matchAll(/```(ts|typescript)([^\n]*)\n([\s\S]*?)```/g),
    ].filter((match) => !match[2].includes("nocheck"));
    if (blocks.length === 0) continue;
    mkdirSync(out, { recursive: true });
    blocks.forEach((match, index) => {
      // Each block is its own module.
      writeFileSync(join(out, `readme-${index + 1}.ts`), `${match[3]}\nexport {};\n`);
      count++;
    });
    projects.push(out);
  }
}
// One compiler run over every package's blocks: each file resolves imports from its own package.
const tsconfig = "tsconfig.examples.json";
writeFileSync(
  tsconfig,
  JSON.stringify({
    extends: "./tooling/tsconfig/base.json",
    include: projects.map((project) => `${project}/*.ts`),
  }),
);
let failed = false;
try {
  execFileSync(
    process.execPath,
    [join("node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", tsconfig],
    {
      stdio: "inherit",
    },
  );
} catch {
  failed = true;
}
for (const project of projects) rmSync(project, { recursive: true, force: true });
rmSync(tsconfig, { force: true });
console.log(
  `check-examples: ${count} README blocks in ${projects.length} packages ${failed ? "FAIL to type-check" : "type-check"}`,
);
process.exit(failed ? 1 : 0);
