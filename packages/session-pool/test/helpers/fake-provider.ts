import type { Account, TokenSet } from "@securecontext/protocol";
import { ProviderError, TransportError } from "@securecontext/protocol";
import { z } from "zod";
import type { ActionDefinition, FailureClassification, OAuthProvider } from "../../src/provider-contract";

/**
 * An in-process authorization server for unit tests: rotating refresh tokens with reuse detection
 * (reuse revokes the grant, as Microsoft does), scripted failures and call counters. Real-IdP
 * behaviour is covered by the integration tests against @securecontext/testing.
 */
export interface FakeProvider extends OAuthProvider {
  stats: { refreshGrants: number; reuseDetections: number; revocations: string[]; exchanges: number };
  /** Queue failures for the next refresh calls: "transient" (network) or an OAuth error code. */
  failNextRefresh(...kinds: Array<"transient" | "invalid_grant">): void;
  /** Delay every refresh by this many ms. */
  refreshDelayMs: number;
  /** Issues a token set directly (as if a code exchange happened). */
  issue(subject: string, scopes: string[]): TokenSet;
  /** Accepts `Bearer <token>` when the token is the live one of its grant. */
  isValidAccessToken(token: string): boolean;
}

interface Grant {
  subject: string;
  scopes: string[];
  refreshToken: string;
  accessToken: string;
  revoked: boolean;
  usedRefreshTokens: Set<string>;
}

export function fakeProvider(
  options: {
    id?: string;
    rotate?: boolean;
    accessTokenTtlMs?: number;
    now?: () => number;
    apiBaseUrl?: string;
    supportsRevocation?: boolean;
  } = {},
): FakeProvider {
  const id = options.id ?? "fake";
  const rotate = options.rotate ?? true;
  const ttl = options.accessTokenTtlMs ?? 3_600_000;
  const now = options.now ?? Date.now;
  const grants: Grant[] = [];
  const failures: Array<"transient" | "invalid_grant"> = [];
  let counter = 0;
  const fresh = (prefix: string) => `${prefix}_${++counter}_${Math.random().toString(36).slice(2)}`;
  const apiBaseUrl = options.apiBaseUrl ?? "https://api.fake.test/v1";

  const tokenSetOf = (grant: Grant, withRefresh: boolean): TokenSet => ({
    accessToken: grant.accessToken,
    tokenType: "Bearer",
    ...(withRefresh ? { refreshToken: grant.refreshToken } : {}),
    expiresAt: now() + ttl,
    scopes: [...grant.scopes],
    obtainedAt: now(),
  });

  const listItems: ActionDefinition<{ query: string; limit: number }, { items: string[] }, string> = {
    id: `${id}.items.list`,
    providerId: id,
    title: "List items",
    description: "Lists items matching a query",
    requiredScopes: ["items.read"],
    input: z.object({ query: z.string().min(1), limit: z.number().int().min(1).max(10).default(5) }),
    output: z.object({ items: z.array(z.string()) }),
    async run(context, input) {
      const response = await context.fetch(
        `${context.apiBaseUrl}/items?q=${encodeURIComponent(input.query)}`,
      );
      if (!response.ok) throw new Error(`upstream ${response.status}`);
      return (await response.json()) as { items: string[] };
    },
    async *stream(context, input) {
      const { items } = await listItems.run(context, input);
      yield* items;
    },
  };

  const provider: FakeProvider = {
    id,
    type: "oidc",
    displayName: "Fake",
    defaultScopes: ["openid"],
    scopes: ["openid", "items.read", "items.write"],
    describeScope: (scope) => `Scope ${scope}`,
    apiBaseUrls: [apiBaseUrl],
    actions: [listItems as unknown as ActionDefinition],
    supportsRevocation: options.supportsRevocation ?? true,
    stats: { refreshGrants: 0, reuseDetections: 0, revocations: [], exchanges: 0 },
    refreshDelayMs: 0,
    failNextRefresh(...kinds) {
      failures.push(...kinds);
    },
    issue(subject, scopes) {
      const grant: Grant = {
        subject,
        scopes,
        refreshToken: fresh("rt"),
        accessToken: fresh("at"),
        revoked: false,
        usedRefreshTokens: new Set(),
      };
      grants.push(grant);
      return tokenSetOf(grant, true);
    },
    isValidAccessToken(token) {
      return grants.some((grant) => !grant.revoked && grant.accessToken === token);
    },
    async authorizationUrl(params) {
      const url = new URL("https://idp.fake.test/authorize");
      url.searchParams.set("state", params.state);
      url.searchParams.set("scope", [...provider.defaultScopes, ...params.scopes].join(" "));
      url.searchParams.set("redirect_uri", params.redirectUri);
      if (params.nonce) url.searchParams.set("nonce", params.nonce);
      url.searchParams.set("code_challenge", params.codeVerifier.slice(0, 8));
      return url;
    },
    async exchangeCode({ callbackUrl, checks }) {
      const code = callbackUrl.searchParams.get("code");
      if (callbackUrl.searchParams.get("state") !== checks.state) {
        throw new ProviderError("state mismatch", { error: "invalid_request" });
      }
      if (!code?.startsWith("code:")) throw new ProviderError("bad code", { error: "invalid_grant" });
      provider.stats.exchanges++;
      const [, subject = "sub", scopeList = ""] = code.split(":");
      return provider.issue(subject, scopeList.split(",").filter(Boolean));
    },
    async refresh({ refreshToken }) {
      if (provider.refreshDelayMs) await new Promise((r) => setTimeout(r, provider.refreshDelayMs));
      const failure = failures.shift();
      if (failure === "transient") throw new TransportError("network down");
      if (failure === "invalid_grant") {
        throw new ProviderError("grant expired", { error: "invalid_grant", errorDescription: "expired" });
      }
      const reused = grants.find((grant) => grant.usedRefreshTokens.has(refreshToken));
      if (reused) {
        provider.stats.reuseDetections++;
        reused.revoked = true;
        throw new ProviderError("refresh token reused", {
          error: "invalid_grant",
          errorDescription: "reuse",
        });
      }
      const grant = grants.find((candidate) => candidate.refreshToken === refreshToken);
      if (!grant || grant.revoked) throw new ProviderError("unknown grant", { error: "invalid_grant" });
      provider.stats.refreshGrants++;
      grant.accessToken = fresh("at");
      if (rotate) {
        grant.usedRefreshTokens.add(grant.refreshToken);
        grant.refreshToken = fresh("rt");
      }
      return tokenSetOf(grant, rotate);
    },
    async revoke({ token }) {
      provider.stats.revocations.push(token.startsWith("rt_") ? "refresh_token" : "access_token");
      for (const grant of grants)
        if (grant.refreshToken === token || grant.accessToken === token) grant.revoked = true;
      return { revoked: true };
    },
    async identity(tokenSet): Promise<Account> {
      const grant = grants.find((candidate) => candidate.accessToken === tokenSet.accessToken);
      if (!grant) throw new ProviderError("unknown token", { error: "invalid_token" });
      return { subject: grant.subject, email: `${grant.subject}@fake.test` };
    },
    classifyError(error): FailureClassification {
      if (error instanceof ProviderError && error.error === "invalid_grant") {
        return {
          kind: "reauth",
          reason: "refresh_token_revoked",
          hint: "Access was revoked. Connect again.",
        };
      }
      return { kind: "transient", reason: "unknown", hint: "Try again later." };
    },
  };
  return provider;
}
