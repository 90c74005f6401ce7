import type { Account, ProviderType, StatusReasonCode, TokenSet } from "@securecontext/protocol";
import type { z } from "zod";

/** What `authorizationUrl` needs. The caller generates and keeps `state`, `codeVerifier`, `nonce`. */
export interface AuthorizationUrlParams {
  state: string;
  /** PKCE verifier; the provider sends its S256 challenge. */
  codeVerifier: string;
  /** OIDC nonce; omitted for plain OAuth 2.0 providers. */
  nonce?: string;
  /** Scopes to request in addition to the provider's `defaultScopes`. */
  scopes: string[];
  redirectUri: string;
  extraParams?: Record<string, string>;
}

/** The values the callback is checked against (all from the pending request, never the callback). */
export interface CallbackChecks {
  state: string;
  codeVerifier: string;
  nonce?: string;
  redirectUri: string;
  /**
   * Scopes the authorization request asked for (beyond the provider's defaults); the token set's
   * `scopes` when the token response omits `scope` (RFC 6749 §5.1).
   */
  requestedScopes?: string[];
}

export interface ExchangeCodeParams {
  /** The full callback URL the browser arrived on (code, state, iss, …). */
  callbackUrl: URL;
  checks: CallbackChecks;
}

export interface RefreshParams {
  refreshToken: string;
  /** Scopes to ask for; defaults to what the grant holds. */
  scopes?: string[];
  /**
   * Scopes the stored token set holds; the result's `scopes` when the provider's response omits
   * `scope` (otherwise the result would claim no scopes).
   */
  grantedScopes?: string[];
}

export interface RevokeParams {
  token: string;
  tokenTypeHint?: "refresh_token" | "access_token";
}

/** Outcome of `revoke`: providers without RFC 7009 say so instead of pretending. */
export interface RevokeResult {
  revoked: boolean;
  /** Why nothing was revoked at the provider (for example "provider has no revocation endpoint"). */
  reason?: string;
}

/** How a refresh or exchange failure should be treated (SPEC §4). */
export interface FailureClassification {
  /** `transient`: retry later, keep the connection active. `reauth`: only the person can fix it. */
  kind: "transient" | "reauth";
  reason: StatusReasonCode;
  /** Plain-language hint for the person. */
  hint: string;
}

/** `fetch` that adds the connection's bearer token; SCP refreshes and retries once on a 401. */
export type AuthorizedFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Everything an action implementation may use. */
export interface ActionContext {
  fetch: AuthorizedFetch;
  /** The provider's primary API base URL (real host, or a local stand-in in tests). */
  apiBaseUrl: string;
  signal?: AbortSignal;
}

/**
 * A typed operation on a provider API. `run` returns one page's normalized output; `stream`
 * yields every item across all pages (for `/v1/actions/:id/stream`).
 */
export interface ActionDefinition<Input = unknown, Output = unknown, Item = unknown> {
  id: string;
  providerId: string;
  title: string;
  description: string;
  /** Every one of these must be granted. */
  requiredScopes: string[];
  input: z.ZodType<Input>;
  output: z.ZodType<Output>;
  run(context: ActionContext, input: Input): Promise<Output>;
  stream?(context: ActionContext, input: Input): AsyncIterable<Item>;
}

/** An OAuth 2.0 / OIDC authorization server plus the APIs it guards. */
export interface OAuthProvider {
  id: string;
  type: ProviderType;
  displayName: string;
  /** Scopes always requested (for example `openid email profile`, `offline_access`). */
  defaultScopes: string[];
  /** Scopes this provider offers, for discovery and the consent page. */
  scopes: string[];
  /** One plain-language line per scope for the consent page. */
  describeScope(scope: string): string;
  /**
   * Optional: the canonical spelling of a scope, for providers that accept several spellings of one
   * scope (Microsoft Graph: `Mail.Read` and `https://graph.microsoft.com/Mail.Read`). Callers compare
   * scopes after normalizing both sides; when absent, scopes compare as plain strings. Token sets the
   * provider returns already carry canonical scopes.
   */
  normalizeScope?(scope: string): string;
  /** Proxy allow-list; the first is the primary API base. */
  apiBaseUrls: string[];
  actions: ActionDefinition[];
  /** True when `revoke` reaches an RFC 7009 endpoint. */
  supportsRevocation: boolean;
  authorizationUrl(params: AuthorizationUrlParams): Promise<URL>;
  exchangeCode(params: ExchangeCodeParams): Promise<TokenSet>;
  /**
   * Uses a refresh token. When the provider rotates refresh tokens the result carries the new one
   * and the old one must never be used again; when it does not, `refreshToken` is undefined and the
   * caller keeps the old one.
   */
  refresh(params: RefreshParams): Promise<TokenSet>;
  revoke(params: RevokeParams): Promise<RevokeResult>;
  /** The account behind a token set (ID token claims, else userinfo). */
  identity(tokenSet: TokenSet): Promise<Account>;
  classifyError(error: unknown): FailureClassification;
}
