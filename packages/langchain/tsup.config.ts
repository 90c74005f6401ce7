import { packageBuild } from "../../tooling/build/tsup.base";
import { defineConfig } from "tsup";

export default defineConfig(packageBuild({"index":"src/index.ts"}));
