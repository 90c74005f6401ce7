/**
 * Microsoft (Entra ID / personal accounts) as an SCP provider: OpenID Connect v2.0 endpoints for a
 * tenant, offline access, rotating refresh tokens, and typed Outlook mail, calendar and OneDrive actions.
 *
 * @example
 * ```ts
 * import { microsoft } from "@securecontext/providers/microsoft";
 *
 * const provider = microsoft({ tenant: "organizations", clientId: "…", clientSecret: "…" });
 * const tokens = await provider.refresh({ refreshToken }); // store tokens.refreshToken: the old one is spent
 * ```
 *
 * @packageDocumentation
 */
import type { Account } from "@securecontext/protocol";
import { ConfigError } from "@securecontext/protocol";
import { microsoftCalendarEventsAction } from "./actions/microsoft-calendar";
import { microsoftDriveSearchAction } from "./actions/microsoft-drive";
import { microsoftMailGetAction, microsoftMailSearchAction } from "./actions/microsoft-mail";
import { rebaseActions } from "./actions/rebase";
import { accountFromClaims } from "./auth/tokens";
import { createOidcProvider, type OidcOptions } from "./oidc";
import type { ActionDefinition, OAuthProvider } from "./types";

/** Microsoft identity platform login host. */
export const MICROSOFT_LOGIN_URL = "https://login.microsoftonline.com";
/** Microsoft Graph (`/v1.0/me/…`). */
export const MICROSOFT_GRAPH_BASE_URL = "https://graph.microsoft.com";
/** What `revoke()` answers: the platform has no RFC 7009 endpoint. */
export const MICROSOFT_NO_REVOCATION_REASON = "Microsoft identity platform has no token revocation endpoint";

/** The v2.0 issuer for a tenant (`common`, `organizations`, `consumers`, a tenant id or domain). */
export function microsoftIssuer(tenant: string): string {
  return `${MICROSOFT_LOGIN_URL}/${tenant}/v2.0`;
}

const tenantPattern =
  /^(?:common|organizations|consumers|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9-]+(?:\.[a-z0-9-]+)+)$/i;

/** Consent-page lines for Microsoft scopes. */
export const microsoftScopeDescriptions: Readonly<Record<string, string>> = {
  openid: "Sign you in with your Microsoft account",
  email: "See your email address",
  profile: "See your basic profile (name, picture, user name)",
  offline_access: "Keep access to the data you gave it access to while you are not using the app",
  "User.Read": "Sign you in and read your profile",
  "Mail.Read": "Read your mail",
  "Mail.ReadBasic": "Read your mail without the message bodies",
  "Mail.Send": "Send mail as you",
  "Calendars.Read": "Read your calendars",
  "Calendars.ReadWrite": "Read and edit your calendars",
  "Files.Read": "Read your files in OneDrive",
  "Files.Read.All": "Read all files you can access",
};

const GRAPH_RESOURCE_PREFIX = `${MICROSOFT_GRAPH_BASE_URL}/`;
const knownMicrosoftScopes = new Map(
  Object.keys(microsoftScopeDescriptions).map((scope) => [scope.toLowerCase(), scope]),
);

/**
 * The canonical (short) spelling of a Microsoft scope: Microsoft Graph is the default resource, so
 * `https://graph.microsoft.com/Mail.Read` and `Mail.Read` are the same permission and both become
 * `Mail.Read`. Permission names are case-insensitive at Microsoft; the known ones get their documented
 * casing (`mail.read` → `Mail.Read`). `https://graph.microsoft.com/.default`, other resources' scopes
 * and unknown names are kept as given.
 */
export function normalizeMicrosoftScope(scope: string): string {
  let name = scope.trim();
  if (name.toLowerCase().startsWith(GRAPH_RESOURCE_PREFIX)) {
    const rest = name.slice(GRAPH_RESOURCE_PREFIX.length);
    if (rest === "" || rest.startsWith(".") || rest.includes("/")) return name;
    name = rest;
  }
  return knownMicrosoftScopes.get(name.toLowerCase()) ?? name;
}

function normalizeScopes(scopes: string[]): string[] {
  return [...new Set(scopes.map(normalizeMicrosoftScope))];
}

/** Microsoft's typed actions (mail search and get, calendar events, OneDrive search). */
export const microsoftActions: readonly ActionDefinition[] = [
  microsoftMailSearchAction as ActionDefinition,
  microsoftMailGetAction as ActionDefinition,
  microsoftCalendarEventsAction as ActionDefinition,
  microsoftDriveSearchAction as ActionDefinition,
];

/** ID token claims → account: `sub`, `email` (else `preferred_username`), `name`, `tid` as `tenantId`. */
export function microsoftAccountFromClaims(claims: Record<string, unknown>): Account {
  const account = accountFromClaims(claims);
  if (
    !account.email &&
    typeof claims.preferred_username === "string" &&
    claims.preferred_username.includes("@")
  ) {
    account.email = claims.preferred_username;
  }
  return account;
}

/** Options of {@link microsoft}. */
export interface MicrosoftOptions extends Omit<OidcOptions, "issuer" | "metadata" | "apiBaseUrls"> {
  /** `common` (default), `organizations`, `consumers`, a tenant id or a verified domain. */
  tenant?: string;
  /** Issuer override (a local stand-in such as @securecontext/testing); wins over `tenant`. */
  issuer?: string;
  /** One base URL that replaces Microsoft Graph's host, keeping the real paths. */
  apiBaseUrl?: string;
  /** Full proxy allow-list (first is primary); wins over `apiBaseUrl`. */
  apiBaseUrls?: string[];
}

/**
 * Microsoft identity platform v2.0. `offline_access` is always requested; each refresh returns a new
 * refresh token that the caller must store (the old one is never reused). For multi-tenant issuers
 * (`common`, `organizations`) the ID token's `iss` carries the user's real tenant; openid-client
 * validates it against the discovered `{tenantid}` template using the token's `tid`. `tid` is kept as
 * `account.tenantId`. There is no revocation endpoint: `revoke()` says so instead of pretending.
 */
export function microsoft(options: MicrosoftOptions): OAuthProvider {
  const id = options.id ?? "microsoft";
  const tenant = options.tenant ?? "common";
  if (!options.issuer && !tenantPattern.test(tenant)) {
    throw new ConfigError(
      `microsoft tenant "${tenant}" is not common, organizations, consumers, a tenant id or a domain`,
      {
        field: "tenant",
      },
    );
  }
  const { apiBaseUrl, apiBaseUrls, issuer, tenant: _tenant, ...rest } = options;
  const defaultScopes = [
    ...new Set([...(options.defaultScopes ?? ["openid", "profile", "email"]), "offline_access"]),
  ];
  const provider = createOidcProvider(
    {
      ...rest,
      id,
      displayName: options.displayName ?? "Microsoft",
      issuer: issuer ?? microsoftIssuer(tenant),
      apiBaseUrls: apiBaseUrls ?? [apiBaseUrl ?? MICROSOFT_GRAPH_BASE_URL],
      defaultScopes,
      scopes:
        options.scopes ?? Object.keys(microsoftScopeDescriptions).filter((scope) => /^[A-Z]/.test(scope)),
      scopeDescriptions: { ...microsoftScopeDescriptions, ...options.scopeDescriptions },
      actions: options.actions ?? rebaseActions(microsoftActions, "microsoft", id),
      identityFromClaims: options.identityFromClaims ?? microsoftAccountFromClaims,
      identityFromUserinfo: options.identityFromUserinfo ?? microsoftAccountFromClaims,
    },
    { type: "microsoft", noRevocationReason: MICROSOFT_NO_REVOCATION_REASON },
  );
  // One scope, two spellings: everything that leaves this provider is canonical (short), and callers
  // normalize what they compare against it through `normalizeScope`.
  const { exchangeCode, refresh, describeScope } = provider;
  return Object.assign(provider, {
    normalizeScope: normalizeMicrosoftScope,
    scopes: normalizeScopes(provider.scopes),
    defaultScopes: normalizeScopes(provider.defaultScopes),
    actions: provider.actions.map((action) => ({
      ...action,
      requiredScopes: normalizeScopes(action.requiredScopes),
    })),
    describeScope: (scope: string) => describeScope(normalizeMicrosoftScope(scope)),
    exchangeCode: async (params: Parameters<OAuthProvider["exchangeCode"]>[0]) => {
      const tokenSet = await exchangeCode(params);
      return { ...tokenSet, scopes: normalizeScopes(tokenSet.scopes) };
    },
    refresh: async (params: Parameters<OAuthProvider["refresh"]>[0]) => {
      const tokenSet = await refresh(params);
      return { ...tokenSet, scopes: normalizeScopes(tokenSet.scopes) };
    },
  } satisfies Partial<OAuthProvider>);
}
