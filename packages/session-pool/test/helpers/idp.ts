import { microsoft } from "@securecontext/providers";
import {
  completeAuthorization,
  startTestIdp,
  type TestIdp,
  type TestIdpProfile,
} from "@securecontext/testing";
import type { OAuthProvider } from "../../src/provider-contract";
import type { SessionPool } from "../../src/types";

export const REDIRECT_URI = "http://127.0.0.1:9/oauth/callback";
export const CLIENT_ID = "scp-pool-test";
export const CLIENT_SECRET = "scp-pool-test-secret-0123456789";

export function startIdp(profile: TestIdpProfile, extra: { accessTokenTtl?: number } = {}): Promise<TestIdp> {
  return startTestIdp({
    profile,
    clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI] }],
    ...extra,
  });
}

/** The Microsoft provider pointed at a running test IdP (rotation + reuse detection). */
export function microsoftFor(idp: { issuer: string; apiBaseUrl: string }): OAuthProvider {
  return microsoft({
    issuer: idp.issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    allowInsecureHttp: true,
    apiBaseUrl: idp.apiBaseUrl,
  });
}

/** Runs the whole consent flow through the pool headlessly; returns the new connection id. */
export async function connectThroughPool(
  pool: SessionPool,
  options: { userId: string; user: string; providerId?: string; scopes?: string[]; clientId?: string | null },
): Promise<string> {
  const request = await pool.connect.create({
    clientId: options.clientId ?? null,
    userId: options.userId,
    providerId: options.providerId ?? "microsoft",
    ...(options.scopes ? { scopes: options.scopes } : {}),
  });
  const binding = `binding-${options.userId}-0123456789abcdef`;
  const authUrl = await pool.connect.begin(request.id, binding);
  const callbackUrl = await completeAuthorization(authUrl, { user: options.user });
  const done = await pool.connect.complete(callbackUrl, binding);
  if (done.status !== "completed" || !done.connectionId) throw new Error(`connect failed: ${done.error}`);
  return done.connectionId;
}
