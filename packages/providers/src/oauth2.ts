import { ConfigError } from "@securecontext/protocol";
import { assertSecureUrl, createConfiguration } from "./auth/configuration";
import { createProvider } from "./auth/create-provider";
import type { ProviderBaseOptions } from "./auth/options";
import { accountFromClaims } from "./auth/tokens";
import type { OAuthProvider } from "./types";

/** Options of {@link oauth2}: a plain OAuth 2.0 server with explicit endpoints. */
export interface OAuth2Options extends ProviderBaseOptions {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** RFC 7009 endpoint; without it `revoke()` resolves `{ revoked: false, reason }`. */
  revocationEndpoint?: string;
  /** Where the account is read from (GitHub: `https://api.github.com/user`). */
  userinfoEndpoint?: string;
  /**
   * Issuer identifier, if the server has one. Used for the RFC 9207 `iss` check: a callback whose
   * `iss` differs is rejected. Default: the authorization endpoint's origin.
   */
  issuer?: string;
  /** Set when the server advertises RFC 9207, so a callback without `iss` is rejected. */
  issuerParameterSupported?: boolean;
}

/**
 * A plain OAuth 2.0 provider (no ID token): authorization URL with PKCE S256 and `state`, code
 * exchange, refresh, optional revocation, and identity from a userinfo URL mapped by
 * `identityFromUserinfo`.
 *
 * @example
 * ```ts
 * const github = oauth2({
 *   id: "github",
 *   authorizationEndpoint: "https://github.com/login/oauth/authorize",
 *   tokenEndpoint: "https://github.com/login/oauth/access_token",
 *   userinfoEndpoint: "https://api.github.com/user",
 *   clientId: "…",
 *   clientSecret: "…",
 *   clientAuthentication: "client_secret_post",
 *   identityFromUserinfo: (user) => ({ subject: String(user.id), name: String(user.login) }),
 * });
 * ```
 */
export function oauth2(options: OAuth2Options): OAuthProvider {
  const id = options.id ?? "oauth2";
  if (!options.authorizationEndpoint || !options.tokenEndpoint) {
    throw new ConfigError(`provider ${id}: oauth2 needs authorizationEndpoint and tokenEndpoint`, {
      field: options.authorizationEndpoint ? "tokenEndpoint" : "authorizationEndpoint",
    });
  }
  const insecure = options.allowInsecureHttp === true;
  const endpoints = {
    authorizationEndpoint: options.authorizationEndpoint,
    tokenEndpoint: options.tokenEndpoint,
    revocationEndpoint: options.revocationEndpoint,
    userinfoEndpoint: options.userinfoEndpoint,
    issuer: options.issuer,
  };
  for (const [field, url] of Object.entries(endpoints)) assertSecureUrl(url, field, insecure);
  for (const [index, url] of (options.apiBaseUrls ?? []).entries())
    assertSecureUrl(url, `apiBaseUrls[${index}]`, insecure);
  const metadata = {
    issuer: options.issuer ?? new URL(options.authorizationEndpoint).origin,
    authorization_endpoint: options.authorizationEndpoint,
    token_endpoint: options.tokenEndpoint,
    ...(options.revocationEndpoint ? { revocation_endpoint: options.revocationEndpoint } : {}),
    ...(options.userinfoEndpoint ? { userinfo_endpoint: options.userinfoEndpoint } : {}),
    ...(options.issuerParameterSupported ? { authorization_response_iss_parameter_supported: true } : {}),
  };
  const credentials = {
    clientId: options.clientId,
    ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
    ...(options.clientAuthentication ? { clientAuthentication: options.clientAuthentication } : {}),
    ...(options.privateKey ? { privateKey: options.privateKey } : {}),
  };
  return createProvider({
    id,
    type: "oauth2",
    displayName: options.displayName ?? id,
    defaultScopes: options.defaultScopes ?? [],
    scopes: options.scopes ?? [],
    scopeDescriptions: { ...options.scopeDescriptions },
    apiBaseUrls: options.apiBaseUrls ?? [],
    actions: options.actions ?? [],
    openid: false,
    loadConfiguration: () =>
      createConfiguration({ kind: "explicit", metadata }, credentials, {
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        allowInsecureHttp: insecure,
        verifyIdTokenSignature: false,
      }),
    authorizationParams: { ...options.authorizationParams },
    forcedAuthorizationParams: {},
    userinfoEndpoint: options.userinfoEndpoint,
    identityFromClaims: accountFromClaims,
    identityFromUserinfo: options.identityFromUserinfo ?? accountFromClaims,
    ...(options.revocationEndpoint
      ? {}
      : { noRevocationReason: `${options.displayName ?? id} has no token revocation endpoint configured` }),
    supportsRevocationHint: Boolean(options.revocationEndpoint),
    ...(options.classifyError ? { classifyError: options.classifyError } : {}),
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? 30_000,
    now: options.now ?? Date.now,
  });
}
