/** Which real-world authorization server the test IdP imitates. */
export type TestIdpProfile = "google" | "microsoft" | "generic";

/** How a registered client authenticates at the token endpoint. */
export type TokenEndpointAuthMethod =
  | "client_secret_basic"
  | "client_secret_post"
  | "none"
  | "private_key_jwt";

/** A client (relying party) registered with the test IdP at start. */
export interface TestClient {
  clientId: string;
  /** Required unless `tokenEndpointAuthMethod` is `none` or `private_key_jwt`. */
  clientSecret?: string;
  redirectUris: string[];
  /** Default `client_secret_basic` (or `none` when no secret is given). */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** Public keys for `private_key_jwt`. */
  jwks?: { keys: JsonWebKey[] };
}

/** A person who can sign in at the test IdP. */
export interface TestUser {
  /** Stable `sub` claim. */
  subject: string;
  email: string;
  name: string;
  /** Plain-text password the login form accepts (test data only). */
  password: string;
  /** Microsoft tenant id (`tid` claim); defaults to the IdP's tenant. */
  tenantId?: string;
}

/** Options for {@link startTestIdp}. Never mutated. */
export interface StartTestIdpOptions {
  profile: TestIdpProfile;
  /** TCP port; default 0 (a random free port). */
  port?: number;
  /** Bind address; default `127.0.0.1`. */
  host?: string;
  /** Access token lifetime in seconds; default 3600. */
  accessTokenTtl?: number;
  /** Refresh token lifetime in seconds; default 90 days. */
  refreshTokenTtl?: number;
  /** Rotate refresh tokens on every use (with reuse detection); default true for microsoft only. */
  rotateRefreshTokens?: boolean;
  clients: TestClient[];
  /** Who can sign in; default {@link seededUsers}. */
  users?: TestUser[];
  /** Seed for the generated mailbox, calendar and drive data; default 1. */
  seed?: number;
}

/** Counters since start (or the last `resetStats()`). */
export interface IdpStats {
  /** Successful authorization responses (a code was issued). */
  authorizations: number;
  /** Successful `authorization_code` grants. */
  codeExchanges: number;
  /** Successful `refresh_token` grants. */
  refreshGrants: number;
  /** Refresh tokens presented after rotation (each revoked its whole grant). */
  refreshReuseDetections: number;
  /** Revocation requests that found and revoked a token. */
  revocations: number;
  /** Token endpoint error responses (including injected ones). */
  tokenErrors: number;
  /** Fake resource API calls by route, e.g. `{"GET /gmail/v1/users/me/messages": 3}`. */
  apiCalls: Record<string, number>;
}

/** A failure the test IdP produces on purpose for the next `count` matching requests. */
export type Fault =
  | {
      target: "token";
      /** How many token requests this applies to; default 1. */
      count?: number;
      kind: "http500" | "http429";
      /** Seconds for the `Retry-After` header of an `http429`. */
      retryAfter?: number;
    }
  | {
      target: "token";
      count?: number;
      /** Hang without answering until the client gives up, or answer normally after `delayMs`. */
      kind: "timeout";
      delayMs?: number;
    }
  | {
      target: "token";
      count?: number;
      /** Answer 400 with this OAuth error (profile-styled description unless `description` is given). */
      kind: "oauthError";
      error?: string;
      description?: string;
    }
  | {
      target: "api";
      count?: number;
      kind: "http429";
      /** Seconds for `Retry-After`; default 1. */
      retryAfter?: number;
    }
  | {
      target: "api";
      count?: number;
      kind: "http500";
    }
  | {
      target: "api";
      count?: number;
      /** Answer normally after `delayMs`. */
      kind: "slow";
      delayMs: number;
    };

/** Selects a user by email or subject. */
export type UserRef = string;

/** A running test IdP. */
export interface TestIdp {
  /** OIDC issuer, `http://127.0.0.1:<port>` for every profile (discovery at `/.well-known/openid-configuration`). */
  issuer: string;
  /** Base URL of the fake resource APIs (same origin as the issuer; real paths such as `/gmail/v1/…`, `/v1.0/me`). */
  apiBaseUrl: string;
  profile: TestIdpProfile;
  /** Microsoft-style tenant id put in `tid` claims. */
  tenantId: string;
  users: TestUser[];
  /** Registered clients (a copy). */
  clients: TestClient[];
  /** A fresh snapshot of the counters. */
  stats(): IdpStats;
  resetStats(): void;
  /** Queue a fault; faults of one target apply in the order injected. */
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Revoke every grant (and its tokens) of a user, as if they removed the app's access. */
  revokeGrantsFor(user: UserRef): Promise<number>;
  /** Mark every refresh token of a user (or of everyone) as expired. */
  expireRefreshTokens(user?: UserRef): Promise<number>;
  /** Make the user's next refresh fail with "consent required" (AADSTS65001 on microsoft). */
  requireConsent(user: UserRef): void;
  /** Mark every access token of a user (or of everyone) as expired. */
  expireAccessTokens(user?: UserRef): Promise<number>;
  stop(): Promise<void>;
}
