import type { Account, ProviderType, TokenSet } from "@securecontext/protocol";
import { ProviderError, ValidationError } from "@securecontext/protocol";
import * as client from "openid-client";
import { classifyError as defaultClassifyError } from "../classify";
import type {
  ActionDefinition,
  AuthorizationUrlParams,
  ExchangeCodeParams,
  FailureClassification,
  OAuthProvider,
  RefreshParams,
  RevokeParams,
  RevokeResult,
} from "../types";
import { callbackErrorCodes, toScpError } from "./errors";
import { accountFromClaims, idTokenClaims, tokenSetFromResponse, unique } from "./tokens";
import { fetchUserinfo } from "./userinfo";

/** What differs between `oidc()`, `oauth2()` and the Google / Microsoft factories. */
export interface ProviderCore {
  id: string;
  type: ProviderType;
  displayName: string;
  defaultScopes: string[];
  scopes: string[];
  scopeDescriptions: Record<string, string>;
  apiBaseUrls: string[];
  actions: ActionDefinition[];
  /** True for OpenID Connect: a nonce is sent and an ID token is required and validated. */
  openid: boolean;
  /** Lazily builds the openid-client configuration; called at most once while it succeeds. */
  loadConfiguration: () => Promise<client.Configuration>;
  /** Defaults for every authorization request (overridable per call). */
  authorizationParams: Record<string, string>;
  /** Parameters that are always sent and cannot be overridden (Google `access_type=offline`, …). */
  forcedAuthorizationParams: Record<string, string>;
  userinfoEndpoint: string | undefined;
  identityFromClaims: (claims: Record<string, unknown>) => Account;
  identityFromUserinfo: (body: Record<string, unknown>) => Account;
  /** Set when the provider is known to have no RFC 7009 endpoint; `revoke()` answers with it. */
  noRevocationReason?: string;
  /** Expected value of `supportsRevocation` before discovery ran. */
  supportsRevocationHint: boolean;
  classifyError?: (error: unknown) => FailureClassification;
  fetch: typeof fetch;
  timeoutMs: number;
  now: () => number;
}

/** RFC 7636 §4.1: 43–128 characters of [A-Z a-z 0-9 - . _ ~]. */
const codeVerifierPattern = /^[A-Za-z0-9\-._~]{43,128}$/;

function requireText(value: string | undefined, field: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new ValidationError(`${field} is required`, { field });
  }
  return value;
}

/** Scope a one-line description falls back to when the provider has none for it. */
function describeUnknownScope(scope: string): string {
  return `Access "${scope}"`;
}

/**
 * Builds an {@link OAuthProvider} from a {@link ProviderCore}. All request code of every provider
 * (generic, Google, Microsoft, examples) lives here, on openid-client.
 */
export function createProvider(core: ProviderCore): OAuthProvider {
  let pending: Promise<client.Configuration> | undefined;
  let resolved: client.Configuration | undefined;
  const configuration = (): Promise<client.Configuration> => {
    if (resolved) return Promise.resolve(resolved);
    pending ??= core.loadConfiguration().then(
      (config) => {
        resolved = config;
        return config;
      },
      (error: unknown) => {
        pending = undefined; // a failed discovery is retried on the next call
        throw error;
      },
    );
    return pending;
  };

  const provider: OAuthProvider = {
    id: core.id,
    type: core.type,
    displayName: core.displayName,
    defaultScopes: [...core.defaultScopes],
    scopes: unique([...core.defaultScopes, ...core.scopes]),
    apiBaseUrls: [...core.apiBaseUrls],
    actions: [...core.actions],
    get supportsRevocation(): boolean {
      if (core.noRevocationReason) return false;
      if (resolved) return Boolean(resolved.serverMetadata().revocation_endpoint);
      return core.supportsRevocationHint;
    },

    describeScope(scope: string): string {
      return core.scopeDescriptions[scope] ?? describeUnknownScope(scope);
    },

    async authorizationUrl(params: AuthorizationUrlParams): Promise<URL> {
      const state = requireText(params.state, "state");
      const verifier = requireText(params.codeVerifier, "codeVerifier");
      if (!codeVerifierPattern.test(verifier)) {
        throw new ValidationError("codeVerifier must be 43-128 characters of [A-Za-z0-9-._~] (RFC 7636)", {
          field: "codeVerifier",
        });
      }
      const redirectUri = requireText(params.redirectUri, "redirectUri");
      const config = await configuration();
      const scope = unique([...core.defaultScopes, ...params.scopes]).join(" ");
      const parameters: Record<string, string> = {
        ...core.authorizationParams,
        ...params.extraParams,
        ...core.forcedAuthorizationParams,
        response_type: "code",
        redirect_uri: redirectUri,
        scope,
        state,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
      };
      if (core.openid && params.nonce) parameters.nonce = params.nonce;
      else delete parameters.nonce;
      return client.buildAuthorizationUrl(config, parameters);
    },

    async exchangeCode({ callbackUrl, checks }: ExchangeCodeParams): Promise<TokenSet> {
      if (!checks.codeVerifier) {
        throw new ProviderError("code exchange refused: the PKCE code verifier is missing", {
          error: callbackErrorCodes.pkce,
          errorDescription: "the pending request has no PKCE code verifier",
        });
      }
      requireText(checks.state, "checks.state");
      const config = await configuration();
      // The redirect_uri sent to the token endpoint is the registered one, not whatever host the
      // browser arrived on; the callback's query (code, state, iss, …) is carried over.
      const current = new URL(requireText(checks.redirectUri, "checks.redirectUri"));
      current.search = "";
      for (const [key, value] of callbackUrl.searchParams) current.searchParams.append(key, value);
      try {
        const response = await client.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          ...(core.openid ? { idTokenExpected: true, expectedNonce: checks.nonce } : {}),
        });
        return tokenSetFromResponse(response, {
          now: core.now(),
          fallbackScopes: [...core.defaultScopes, ...(checks.requestedScopes ?? [])],
        });
      } catch (error) {
        throw toScpError("code exchange", error);
      }
    },

    async refresh(params: RefreshParams): Promise<TokenSet> {
      const refreshToken = requireText(params.refreshToken, "refreshToken");
      const config = await configuration();
      try {
        const response = await client.refreshTokenGrant(
          config,
          refreshToken,
          params.scopes?.length ? { scope: params.scopes.join(" ") } : undefined,
        );
        return tokenSetFromResponse(response, {
          now: core.now(),
          fallbackScopes: params.scopes ?? params.grantedScopes ?? [],
        });
      } catch (error) {
        throw toScpError("refresh", error);
      }
    },

    async revoke(params: RevokeParams): Promise<RevokeResult> {
      if (core.noRevocationReason) return { revoked: false, reason: core.noRevocationReason };
      const token = requireText(params.token, "token");
      const config = await configuration();
      if (!config.serverMetadata().revocation_endpoint) {
        return { revoked: false, reason: `${core.displayName} has no token revocation endpoint` };
      }
      try {
        await client.tokenRevocation(
          config,
          token,
          params.tokenTypeHint ? { token_type_hint: params.tokenTypeHint } : undefined,
        );
        return { revoked: true };
      } catch (error) {
        throw toScpError("revocation", error);
      }
    },

    async identity(tokenSet: TokenSet): Promise<Account> {
      if (tokenSet.idToken) return core.identityFromClaims(idTokenClaims(tokenSet.idToken));
      let endpoint = core.userinfoEndpoint;
      if (!endpoint) endpoint = (await configuration()).serverMetadata().userinfo_endpoint;
      if (!endpoint) {
        throw new ProviderError(
          `${core.displayName}: no ID token and no userinfo endpoint to identify the account`,
          {
            error: "invalid_response",
          },
        );
      }
      const body = await fetchUserinfo(endpoint, tokenSet, { fetch: core.fetch, timeoutMs: core.timeoutMs });
      return core.identityFromUserinfo(body);
    },

    classifyError(error: unknown): FailureClassification {
      return (core.classifyError ?? defaultClassifyError)(error);
    },
  };
  return provider;
}

export { accountFromClaims };
