/**
 * Google as an SCP provider: OpenID Connect sign-in with offline access, incremental consent,
 * revocation, and typed Gmail, Calendar and Drive actions.
 *
 * @example
 * ```ts
 * import { google } from "@securecontext/providers/google";
 *
 * const provider = google({ clientId: process.env.GOOGLE_CLIENT_ID!, clientSecret: process.env.GOOGLE_CLIENT_SECRET! });
 * const url = await provider.authorizationUrl({
 *   state, codeVerifier, nonce, redirectUri: "https://scp.example.com/oauth/callback",
 *   scopes: ["https://www.googleapis.com/auth/gmail.readonly"],
 * });
 * ```
 *
 * @packageDocumentation
 */
import { googleCalendarEventsAction } from "./actions/google-calendar";
import { googleDriveSearchAction } from "./actions/google-drive";
import { gmailGetAction, gmailSearchAction } from "./actions/google-gmail";
import { rebaseActions } from "./actions/rebase";
import { createOidcProvider, type OidcOptions } from "./oidc";
import type { ActionDefinition, OAuthProvider } from "./types";

/** Google's OpenID Connect issuer (discovery at `/.well-known/openid-configuration`). */
export const GOOGLE_ISSUER = "https://accounts.google.com";
/** One host serves Gmail (`/gmail/v1`), Calendar (`/calendar/v3`) and Drive (`/drive/v3`). */
export const GOOGLE_API_BASE_URL = "https://www.googleapis.com";

/** Consent-page lines for Google scopes. */
export const googleScopeDescriptions: Readonly<Record<string, string>> = {
  openid: "Sign you in with your Google Account",
  email: "See your primary Google Account email address",
  profile: "See your name and profile picture",
  "https://www.googleapis.com/auth/gmail.readonly": "Read your Gmail messages and settings",
  "https://www.googleapis.com/auth/gmail.metadata":
    "See your Gmail message headers and labels, not the message bodies",
  "https://www.googleapis.com/auth/gmail.send": "Send email on your behalf",
  "https://www.googleapis.com/auth/gmail.modify": "Read, compose and send email, and change labels",
  "https://www.googleapis.com/auth/calendar.readonly": "See the events on all your Google Calendars",
  "https://www.googleapis.com/auth/calendar.events": "See and edit events on all your calendars",
  "https://www.googleapis.com/auth/drive.readonly": "See and download all your Google Drive files",
  "https://www.googleapis.com/auth/drive.metadata.readonly":
    "See information about your Google Drive files (names, types, dates)",
  "https://www.googleapis.com/auth/drive.file": "See and edit only the Drive files you use with this app",
};

/** Google's typed actions (Gmail search and get, Calendar events, Drive search). */
export const googleActions: readonly ActionDefinition[] = [
  gmailSearchAction as ActionDefinition,
  gmailGetAction as ActionDefinition,
  googleCalendarEventsAction as ActionDefinition,
  googleDriveSearchAction as ActionDefinition,
];

/** Options of {@link google}. */
export interface GoogleOptions extends Omit<OidcOptions, "issuer" | "metadata" | "apiBaseUrls"> {
  /** Issuer override (a local stand-in such as @securecontext/testing). Default {@link GOOGLE_ISSUER}. */
  issuer?: string;
  /** One base URL that replaces every Google API host, keeping the real paths. */
  apiBaseUrl?: string;
  /** Full proxy allow-list (first is primary); wins over `apiBaseUrl`. */
  apiBaseUrls?: string[];
}

/**
 * Google: `access_type=offline` and `prompt=consent` are always sent so a refresh token is always
 * issued, `include_granted_scopes=true` for incremental consent; refresh, revocation (RFC 7009),
 * identity from the ID token, Google's `invalid_grant` texts classified, and the Gmail, Calendar and
 * Drive actions.
 */
export function google(options: GoogleOptions): OAuthProvider {
  const id = options.id ?? "google";
  const { apiBaseUrl, apiBaseUrls, issuer, ...rest } = options;
  return createOidcProvider(
    {
      ...rest,
      id,
      displayName: options.displayName ?? "Google",
      issuer: issuer ?? GOOGLE_ISSUER,
      apiBaseUrls: apiBaseUrls ?? [apiBaseUrl ?? GOOGLE_API_BASE_URL],
      defaultScopes: options.defaultScopes ?? ["openid", "email", "profile"],
      scopes:
        options.scopes ??
        Object.keys(googleScopeDescriptions).filter((scope) => scope.startsWith("https://")),
      scopeDescriptions: { ...googleScopeDescriptions, ...options.scopeDescriptions },
      actions: options.actions ?? rebaseActions(googleActions, "google", id),
    },
    {
      type: "google",
      forcedAuthorizationParams: {
        access_type: "offline",
        prompt: "consent",
        include_granted_scopes: "true",
      },
      supportsRevocationHint: true,
    },
  );
}
