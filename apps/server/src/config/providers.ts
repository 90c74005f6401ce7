import type { ProviderConfig, ServerConfigFile, ServerEnv } from "@securecontext/protocol";
import { type OAuthProvider, providersFromConfig } from "@securecontext/providers";

/**
 * Provider configurations from `SCP_CONFIG` plus the `SCP_GOOGLE_*` / `SCP_MICROSOFT_*` shortcuts.
 * A provider the file already defines (same id) is not overridden by the environment.
 */
export function providerConfigsFrom(env: ServerEnv, file: ServerConfigFile | undefined): ProviderConfig[] {
  const configs: ProviderConfig[] = [...(file?.providers ?? [])];
  const has = (id: string) => configs.some((provider) => provider.id === id);
  if (env.SCP_GOOGLE_CLIENT_ID && !has("google")) {
    configs.push({
      id: "google",
      type: "google",
      clientId: env.SCP_GOOGLE_CLIENT_ID,
      ...(env.SCP_GOOGLE_CLIENT_SECRET ? { clientSecret: env.SCP_GOOGLE_CLIENT_SECRET } : {}),
    });
  }
  if (env.SCP_MICROSOFT_CLIENT_ID && !has("microsoft")) {
    configs.push({
      id: "microsoft",
      type: "microsoft",
      clientId: env.SCP_MICROSOFT_CLIENT_ID,
      tenant: env.SCP_MICROSOFT_TENANT,
      ...(env.SCP_MICROSOFT_CLIENT_SECRET ? { clientSecret: env.SCP_MICROSOFT_CLIENT_SECRET } : {}),
    });
  }
  return configs;
}

/** Builds provider instances (the one place the server calls the providers package's factories). */
export function buildProviders(
  configs: ProviderConfig[],
  options: { allowInsecureHttp: boolean },
): OAuthProvider[] {
  if (configs.length === 0) return [];
  return [...providersFromConfig(configs, { allowInsecureHttp: options.allowInsecureHttp })];
}
