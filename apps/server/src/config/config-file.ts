import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  ConfigError,
  formatIssuePath,
  resolveEnvSecrets,
  type ServerConfigFile,
  serverConfigFileSchema,
} from "@securecontext/protocol";
import type { EnvRecord } from "./env";

/**
 * Validates an already-parsed `SCP_CONFIG` document: resolves `"env:VAR"` secrets first, then
 * checks it with `serverConfigFileSchema`. Errors name the JSON path (`SCP_CONFIG $.providers[0].issuer`).
 */
export function parseConfigFile(raw: unknown, env: EnvRecord, source = "SCP_CONFIG"): ServerConfigFile {
  let resolved: unknown;
  try {
    resolved = resolveEnvSecrets(raw, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new ConfigError(`${source}: ${error.message}`, { field: `${source} ${error.field ?? "$"}` });
    }
    throw error;
  }
  const result = serverConfigFileSchema.safeParse(resolved);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const keys = issue?.code === "unrecognized_keys" ? ((issue as { keys?: string[] }).keys ?? []) : [];
  const path = formatIssuePath("$", [...(issue?.path ?? []), ...keys.slice(0, 1)]);
  throw new ConfigError(`${source} ${path}: ${issue?.message ?? "is invalid"}`, {
    field: `${source} ${path}`,
  });
}

/** Reads and validates the JSON file `SCP_CONFIG` points at. */
export function loadConfigFile(path: string, env: EnvRecord): ServerConfigFile {
  let text: string;
  try {
    text = readFileSync(resolve(path), "utf8");
  } catch (error) {
    throw new ConfigError(
      `SCP_CONFIG: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      {
        field: "SCP_CONFIG",
        cause: error,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`SCP_CONFIG: ${path} is not valid JSON (${(error as Error).message})`, {
      field: "SCP_CONFIG",
    });
  }
  return parseConfigFile(json, env);
}
