import {
  ConfigError,
  type ProviderConfig,
  type ServerConfigFile,
  type ServerEnv,
} from "@securecontext/protocol";
import { loadConfigFile, parseConfigFile } from "./config-file";
import { type EnvRecord, isProduction, parseServerEnv } from "./env";
import { providerConfigsFrom } from "./providers";
import { DEFAULT_DATA_DIR, type ResolvedSecrets, resolveSecrets } from "./secrets";
import { parseStoreSpec, type StoreSpec } from "./store";

export { loadConfigFile, parseConfigFile } from "./config-file";
export { type EnvRecord, isProduction, parseServerEnv } from "./env";
export { buildProviders, providerConfigsFrom } from "./providers";
export * from "./secrets";
export * from "./store";

/** Everything the server needs from its environment, validated. */
export interface ServerConfig {
  env: ServerEnv;
  production: boolean;
  /** The config file, when `SCP_CONFIG` (or `options.configFile`) gave one. */
  file: ServerConfigFile | undefined;
  providerConfigs: ProviderConfig[];
  store: StoreSpec;
  /** Set only when `SCP_BASE_URL` was given; otherwise the bound URL is used. */
  baseUrl: string | undefined;
  secrets: ResolvedSecrets;
  /** True when no provider is configured: the server runs demo mode. */
  demo: boolean;
}

export interface LoadServerConfigOptions {
  env: EnvRecord;
  /** An already-parsed config document (wins over `SCP_CONFIG`). */
  configFile?: unknown;
}

/**
 * Validates env and config file, resolves secrets (generating development ones where allowed).
 * Throws `ConfigError` naming the bad variable or JSON path.
 */
export function loadServerConfig(options: LoadServerConfigOptions): ServerConfig {
  const env = parseServerEnv(options.env);
  const production = isProduction(env);
  const file =
    options.configFile !== undefined
      ? parseConfigFile(options.configFile, options.env, "configFile")
      : env.SCP_CONFIG
        ? loadConfigFile(env.SCP_CONFIG, options.env)
        : undefined;
  const providerConfigs = providerConfigsFrom(env, file);
  const store = parseStoreSpec(env.SCP_STORE, { redisPrefix: options.env.SCP_REDIS_PREFIX });
  const demo = providerConfigs.length === 0;
  const secrets = resolveSecrets({
    encryptionKeys: env.SCP_ENCRYPTION_KEYS,
    adminKey: env.SCP_ADMIN_KEY,
    production,
    persist: store.kind !== "memory",
    dataDir: options.env.SCP_DATA_DIR || DEFAULT_DATA_DIR,
  });
  if (demo && production) {
    throw new ConfigError(
      "NODE_ENV=production needs at least one provider (SCP_CONFIG, SCP_GOOGLE_CLIENT_ID or SCP_MICROSOFT_CLIENT_ID); demo mode is for development only",
      { field: "SCP_CONFIG" },
    );
  }
  return {
    env,
    production,
    file,
    providerConfigs,
    store,
    baseUrl: options.env.SCP_BASE_URL ? env.SCP_BASE_URL.replace(/\/+$/, "") : undefined,
    secrets,
    demo,
  };
}
