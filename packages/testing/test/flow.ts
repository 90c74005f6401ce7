import * as oidc from "openid-client";
import { completeAuthorization } from "../src/index";

export const REDIRECT_URI = "http://127.0.0.1:9/callback";

/** Discovers the IdP as a confidential client over http. */
export async function discover(issuer: string, clientId = "app", clientSecret = "app-secret") {
  return oidc.discovery(new URL(issuer), clientId, clientSecret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
}

/** Runs the whole code flow with PKCE, returning the token response. */
export async function codeFlow(
  config: oidc.Configuration,
  input: {
    scope: string;
    extra?: Record<string, string>;
    user?: string;
    approve?: boolean;
  },
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: input.scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...input.extra,
  });
  const callback = await completeAuthorization(url, {
    ...(input.user ? { user: input.user } : {}),
    ...(input.approve === undefined ? {} : { approve: input.approve }),
  });
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  return { tokens, callback, url };
}

/** Catches the error a promise rejects with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<oidc.ResponseBodyError> {
  try {
    await promise;
  } catch (error) {
    return error as oidc.ResponseBodyError;
  }
  throw new Error("expected a rejection");
}
