import type { TestIdpProfile } from "./types";

/** Google API scope URLs the google profile offers. */
export const GOOGLE_SCOPES = {
  gmailReadonly: "https://www.googleapis.com/auth/gmail.readonly",
  calendarReadonly: "https://www.googleapis.com/auth/calendar.readonly",
  driveReadonly: "https://www.googleapis.com/auth/drive.readonly",
} as const;

/** Microsoft Graph scopes the microsoft profile offers (full URL form; short forms are accepted too). */
export const GRAPH_SCOPES = {
  mailRead: "https://graph.microsoft.com/Mail.Read",
  calendarsRead: "https://graph.microsoft.com/Calendars.Read",
  filesReadAll: "https://graph.microsoft.com/Files.Read.All",
  userRead: "https://graph.microsoft.com/User.Read",
} as const;

/** Endpoint paths and scope set of one profile. */
export interface ProfileDefinition {
  scopes: string[];
  routes: {
    authorization: string;
    token: string;
    jwks: string;
    userinfo: string;
    revocation: string;
  };
  revocation: boolean;
  defaultRotate: boolean;
}

const OIDC_SCOPES = ["openid", "email", "profile"];

export const PROFILES: Record<TestIdpProfile, ProfileDefinition> = {
  google: {
    scopes: [...OIDC_SCOPES, ...Object.values(GOOGLE_SCOPES)],
    routes: {
      authorization: "/o/oauth2/v2/auth",
      token: "/token",
      jwks: "/oauth2/v3/certs",
      userinfo: "/v1/userinfo",
      revocation: "/revoke",
    },
    revocation: true,
    defaultRotate: false,
  },
  microsoft: {
    scopes: [
      ...OIDC_SCOPES,
      "offline_access",
      ...Object.values(GRAPH_SCOPES),
      ...Object.values(GRAPH_SCOPES).map(shortGraphScope),
    ],
    routes: {
      authorization: "/oauth2/v2.0/authorize",
      token: "/oauth2/v2.0/token",
      jwks: "/discovery/v2.0/keys",
      userinfo: "/oidc/userinfo",
      revocation: "/oauth2/v2.0/revoke",
    },
    revocation: false,
    defaultRotate: true,
  },
  generic: {
    scopes: [...OIDC_SCOPES, "offline_access", "api.read"],
    routes: {
      authorization: "/authorize",
      token: "/token",
      jwks: "/jwks",
      userinfo: "/userinfo",
      revocation: "/revoke",
    },
    revocation: true,
    defaultRotate: false,
  },
};

function shortGraphScope(scope: string): string {
  return scope.slice("https://graph.microsoft.com/".length);
}

/** True when a granted scope set satisfies `required` (Graph short and URL forms are equivalent). */
export function hasScope(granted: ReadonlySet<string>, required: string): boolean {
  if (granted.has(required)) return true;
  if (required.startsWith("https://graph.microsoft.com/")) return granted.has(shortGraphScope(required));
  return false;
}
