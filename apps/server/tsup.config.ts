import { defineConfig } from "tsup";
import { packageBuild } from "../../tooling/build/tsup.base";

export default defineConfig(packageBuild({ index: "src/index.ts", cli: "src/cli.ts" }, { platform: "node" }));
