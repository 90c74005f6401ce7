import { ConfigError, type ServerEnv, serverEnvSchema } from "@securecontext/protocol";

/** Environment as read by the server (a plain record; `process.env` by default). */
export type EnvRecord = Record<string, string | undefined>;

/**
 * Validates the SPEC §7 environment with `serverEnvSchema`. Empty strings count as unset. A bad
 * value throws `ConfigError` whose message and `field` name the variable (never its value: it may
 * be a secret).
 */
export function parseServerEnv(env: EnvRecord): ServerEnv {
  const relevant: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if ((key.startsWith("SCP_") || key === "NODE_ENV") && value !== undefined && value !== "") {
      relevant[key] = value;
    }
  }
  const result = serverEnvSchema.safeParse(relevant);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = String(issue?.path[0] ?? "environment");
  throw new ConfigError(`${variable} is invalid: ${issue?.message ?? "bad value"}`, { field: variable });
}

/** True when `NODE_ENV=production`. */
export function isProduction(env: ServerEnv): boolean {
  return env.NODE_ENV === "production";
}
