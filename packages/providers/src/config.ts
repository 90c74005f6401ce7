import { ConfigError, type ProviderConfig } from "@securecontext/protocol";
import { assertSecureUrl } from "./auth/configuration";
import { google } from "./google";
import { microsoft } from "./microsoft";
import { oauth2 } from "./oauth2";
import { oidc } from "./oidc";
import { defineProvider } from "./registry";
import type { OAuthProvider } from "./types";

/** Server-wide settings applied to every configured provider. */
export interface ProvidersFromConfigOptions {
  /**
   * The server's single callback URL (`BASE/oauth/callback`). Checked here (https, loopback http, or
   * any http with `allowInsecureHttp`); each flow still passes it to `authorizationUrl` / `exchangeCode`.
   */
  redirectUri?: string;
  /** `SCP_ALLOW_INSECURE_HTTP`: permit `http:` issuers, endpoints and API bases. */
  allowInsecureHttp?: boolean;
  /** Injected fetch for every provider (tests). */
  fetch?: typeof fetch;
  /** Per-request timeout for authorization server calls, in milliseconds. */
  timeoutMs?: number;
}

function secret(config: ProviderConfig, index: number): string | undefined {
  const value = config.clientSecret;
  if (value?.startsWith("env:")) {
    throw new ConfigError(
      `providers[${index}].clientSecret still refers to ${value}; resolve env secrets first`,
      {
        field: `providers[${index}].clientSecret`,
      },
    );
  }
  return value;
}

/**
 * An operator who lists `offline_access` among a generic provider's scopes wants refresh tokens, so
 * it is requested on every connect, not only when a connect request happens to name it.
 */
function offlineDefaults(config: ProviderConfig, base: string[]): { defaultScopes?: string[] } {
  return config.scopes?.includes("offline_access") ? { defaultScopes: [...base, "offline_access"] } : {};
}

function build(config: ProviderConfig, index: number, options: ProvidersFromConfigOptions): OAuthProvider {
  const clientSecret = secret(config, index);
  const common = {
    id: config.id,
    clientId: config.clientId,
    ...(clientSecret ? { clientSecret } : {}),
    ...(config.displayName ? { displayName: config.displayName } : {}),
    ...(config.scopes ? { scopes: config.scopes } : {}),
    ...(config.authorizationParams ? { authorizationParams: config.authorizationParams } : {}),
    ...(config.apiBaseUrls ? { apiBaseUrls: config.apiBaseUrls } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    allowInsecureHttp: options.allowInsecureHttp === true,
  };
  switch (config.type) {
    case "google":
      return google({ ...common, ...(config.issuer ? { issuer: config.issuer } : {}) });
    case "microsoft":
      return microsoft({
        ...common,
        ...(config.issuer ? { issuer: config.issuer } : {}),
        ...(config.tenant ? { tenant: config.tenant } : {}),
      });
    case "oidc":
      if (!config.issuer)
        throw new ConfigError(`providers[${index}]: oidc needs an issuer`, {
          field: `providers[${index}].issuer`,
        });
      return oidc({
        ...common,
        ...offlineDefaults(config, ["openid", "email", "profile"]),
        issuer: config.issuer,
      });
    case "oauth2":
      if (!config.authorizationEndpoint || !config.tokenEndpoint) {
        throw new ConfigError(`providers[${index}]: oauth2 needs authorizationEndpoint and tokenEndpoint`, {
          field: `providers[${index}].${config.authorizationEndpoint ? "tokenEndpoint" : "authorizationEndpoint"}`,
        });
      }
      return oauth2({
        ...common,
        ...offlineDefaults(config, []),
        authorizationEndpoint: config.authorizationEndpoint,
        tokenEndpoint: config.tokenEndpoint,
        ...(config.revocationEndpoint ? { revocationEndpoint: config.revocationEndpoint } : {}),
        ...(config.userinfoEndpoint ? { userinfoEndpoint: config.userinfoEndpoint } : {}),
        ...(config.issuer ? { issuer: config.issuer } : {}),
      });
  }
}

/**
 * Builds providers from the server's `SCP_CONFIG` entries (secrets already resolved with
 * `resolveEnvSecrets`). Errors name the entry: `providers[2].issuer uses http:, which is refused …`.
 */
export function providersFromConfig(
  configs: readonly ProviderConfig[],
  options: ProvidersFromConfigOptions = {},
): OAuthProvider[] {
  if (options.redirectUri) {
    // Loopback http callbacks are fine (RFC 8252 §7.3; the dev default http://localhost:8787).
    const loopback = /^http:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::\d+)?\//.test(options.redirectUri);
    assertSecureUrl(options.redirectUri, "redirectUri", options.allowInsecureHttp || loopback);
  }
  return configs.map((config, index) => {
    try {
      return defineProvider(build(config, index, options));
    } catch (error) {
      if (error instanceof ConfigError && !error.message.startsWith("providers[")) {
        throw new ConfigError(`providers[${index}] (${config.id}): ${error.message}`, {
          field: `providers[${index}]${error.field ? `.${error.field}` : ""}`,
        });
      }
      throw error;
    }
  });
}
