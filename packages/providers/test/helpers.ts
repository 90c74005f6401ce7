import type { TokenSet } from "@securecontext/protocol";
import {
  completeAuthorization,
  type StartTestIdpOptions,
  startTestIdp,
  type TestIdp,
} from "@securecontext/testing";
import { randomNonce, randomPKCECodeVerifier, randomState } from "openid-client";
import { google } from "../src/google";
import { microsoft } from "../src/microsoft";
import { oidc } from "../src/oidc";
import type { ActionContext, CallbackChecks, OAuthProvider } from "../src/types";

export const REDIRECT_URI = "http://127.0.0.1:9/oauth/callback";
export const CLIENT_ID = "scp-test";
export const CLIENT_SECRET = "scp-test-secret-0123456789";

export type Profile = "google" | "microsoft" | "generic";

export async function startIdp(profile: Profile, extra: Partial<StartTestIdpOptions> = {}): Promise<TestIdp> {
  return startTestIdp({
    profile,
    clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI] }],
    ...extra,
  });
}

/** The SCP provider for a running test IdP of this profile. */
export function providerFor(
  profile: Profile,
  idp: TestIdp,
  extra: Record<string, unknown> = {},
): OAuthProvider {
  const common = {
    issuer: idp.issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    allowInsecureHttp: true,
    ...extra,
  };
  if (profile === "google") return google({ ...common, apiBaseUrl: idp.apiBaseUrl });
  if (profile === "microsoft") return microsoft({ ...common, apiBaseUrl: idp.apiBaseUrl });
  return oidc({
    ...common,
    id: "acme",
    displayName: "Acme SSO",
    defaultScopes: ["openid", "email", "profile", "offline_access"],
    apiBaseUrls: [idp.apiBaseUrl],
  });
}

export function newChecks(): CallbackChecks {
  return {
    state: randomState(),
    codeVerifier: randomPKCECodeVerifier(),
    nonce: randomNonce(),
    redirectUri: REDIRECT_URI,
  };
}

/** Runs authorization URL → headless consent; returns the callback URL and the checks. */
export async function authorize(
  provider: OAuthProvider,
  scopes: string[] = [],
  options: { user?: string; approve?: boolean } = {},
): Promise<{ callbackUrl: URL; checks: CallbackChecks }> {
  const checks = newChecks();
  const url = await provider.authorizationUrl({ ...checks, scopes });
  const callbackUrl = await completeAuthorization(url, options);
  return { callbackUrl, checks };
}

/** A full connect: consent and code exchange. */
export async function connect(
  provider: OAuthProvider,
  scopes: string[] = [],
  user?: string,
): Promise<TokenSet> {
  const { callbackUrl, checks } = await authorize(provider, scopes, user ? { user } : {});
  return provider.exchangeCode({ callbackUrl, checks: { ...checks, requestedScopes: scopes } });
}

/** An action context whose fetch adds the bearer token. */
export function contextFor(tokens: TokenSet, apiBaseUrl: string): ActionContext {
  return {
    apiBaseUrl,
    fetch: (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set("authorization", `Bearer ${tokens.accessToken}`);
      return fetch(input, { ...init, headers });
    },
  };
}

/** Awaits a promise expected to reject and returns the error. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}
