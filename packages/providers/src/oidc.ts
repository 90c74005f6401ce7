import { type Account, ConfigError, type ProviderType } from "@securecontext/protocol";
import type { ServerMetadata } from "openid-client";
import { assertSecureUrl, createConfiguration } from "./auth/configuration";
import { createProvider } from "./auth/create-provider";
import type { ProviderBaseOptions } from "./auth/options";
import { accountFromClaims } from "./auth/tokens";
import type { OAuthProvider } from "./types";

/** Options of {@link oidc}. Give `issuer` (discovery) or `metadata` (explicit endpoints). */
export interface OidcOptions extends ProviderBaseOptions {
  /** Issuer identifier; metadata is discovered lazily from its `.well-known/openid-configuration`. */
  issuer?: string;
  /** Explicit authorization server metadata instead of discovery (must include `issuer`). */
  metadata?: ServerMetadata;
  /** Validate ID token signatures against the issuer's JWKS (default true). */
  verifyIdTokenSignature?: boolean;
  /** Maps validated ID token claims to the account. Default: `sub`, `email`, `name`, `tid`. */
  identityFromClaims?: (claims: Record<string, unknown>) => Account;
}

/** Internal knobs the Google and Microsoft factories set on top of {@link OidcOptions}. */
export interface OidcInternals {
  type: ProviderType;
  forcedAuthorizationParams?: Record<string, string>;
  noRevocationReason?: string;
  supportsRevocationHint?: boolean;
}

const defaultOidcScopeDescriptions: Record<string, string> = {
  openid: "Sign you in with your account",
  email: "See your email address",
  profile: "See your name and profile picture",
  offline_access: "Keep access while you are not using the app",
};

/** Shared by {@link oidc}, `google()` and `microsoft()`. */
export function createOidcProvider(options: OidcOptions, internals: OidcInternals): OAuthProvider {
  const id = options.id ?? "oidc";
  if (!options.issuer && !options.metadata) {
    throw new ConfigError(`provider ${id}: oidc needs an issuer or explicit metadata`, { field: "issuer" });
  }
  const insecure = options.allowInsecureHttp === true;
  assertSecureUrl(options.issuer ?? options.metadata?.issuer, "issuer", insecure);
  for (const key of [
    "authorization_endpoint",
    "token_endpoint",
    "revocation_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
  ] as const) {
    assertSecureUrl(options.metadata?.[key], `metadata.${key}`, insecure);
  }
  for (const [index, url] of (options.apiBaseUrls ?? []).entries())
    assertSecureUrl(url, `apiBaseUrls[${index}]`, insecure);
  const credentials = {
    clientId: options.clientId,
    ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
    ...(options.clientAuthentication ? { clientAuthentication: options.clientAuthentication } : {}),
    ...(options.privateKey ? { privateKey: options.privateKey } : {}),
  };
  const transport = {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    allowInsecureHttp: insecure,
    verifyIdTokenSignature: options.verifyIdTokenSignature ?? true,
  };
  const metadata = options.metadata ? structuredClone(options.metadata) : undefined;
  const issuer = options.issuer;
  return createProvider({
    id,
    type: internals.type,
    displayName: options.displayName ?? id,
    defaultScopes: options.defaultScopes ?? ["openid", "email", "profile"],
    scopes: options.scopes ?? [],
    scopeDescriptions: { ...defaultOidcScopeDescriptions, ...options.scopeDescriptions },
    apiBaseUrls: options.apiBaseUrls ?? [],
    actions: options.actions ?? [],
    openid: true,
    loadConfiguration: () =>
      createConfiguration(
        metadata ? { kind: "explicit", metadata } : { kind: "discovery", issuer: issuer as string },
        credentials,
        transport,
      ),
    authorizationParams: { ...options.authorizationParams },
    forcedAuthorizationParams: { ...internals.forcedAuthorizationParams },
    userinfoEndpoint: undefined,
    identityFromClaims: options.identityFromClaims ?? accountFromClaims,
    identityFromUserinfo: options.identityFromUserinfo ?? accountFromClaims,
    ...(internals.noRevocationReason ? { noRevocationReason: internals.noRevocationReason } : {}),
    supportsRevocationHint:
      internals.supportsRevocationHint ?? (metadata ? Boolean(metadata.revocation_endpoint) : true),
    ...(options.classifyError ? { classifyError: options.classifyError } : {}),
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? 30_000,
    now: options.now ?? Date.now,
  });
}

/**
 * A generic OpenID Connect provider on openid-client: lazy, cached discovery (or explicit metadata),
 * authorization URL with PKCE S256, `state` and `nonce`, code exchange checking state, nonce, PKCE and
 * RFC 9207 `iss`, ID token validation (claims and signature), refresh, RFC 7009 revocation when the
 * server has an endpoint, identity from the ID token else userinfo.
 *
 * @example
 * ```ts
 * const acme = oidc({ id: "acme", issuer: "https://login.acme.example", clientId: "scp", clientSecret: "…" });
 * const url = await acme.authorizationUrl({ state, codeVerifier, nonce, scopes: [], redirectUri });
 * ```
 */
export function oidc(options: OidcOptions): OAuthProvider {
  return createOidcProvider(options, { type: "oidc" });
}
