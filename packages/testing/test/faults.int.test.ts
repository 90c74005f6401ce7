import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GOOGLE_SCOPES, startTestIdp, type TestIdp } from "../src/index";
import { codeFlow, discover, REDIRECT_URI, rejectionOf } from "./flow";

const clients = [{ clientId: "app", clientSecret: "app-secret", redirectUris: [REDIRECT_URI] }];

describe("fault injection", () => {
  let idp: TestIdp;
  let config: oidc.Configuration;
  let refreshToken: string;
  let accessToken: string;
  beforeAll(async () => {
    idp = await startTestIdp({ profile: "google", clients });
    config = await discover(idp.issuer);
    const { tokens } = await codeFlow(config, {
      scope: `openid ${GOOGLE_SCOPES.gmailReadonly}`,
      extra: { access_type: "offline", prompt: "consent" },
    });
    refreshToken = tokens.refresh_token!;
    accessToken = tokens.access_token;
  });
  afterAll(() => idp.stop());

  it("token http500 fails exactly `count` requests, then the endpoint recovers", async () => {
    idp.resetStats();
    idp.inject({ target: "token", kind: "http500", count: 2 });
    for (let i = 0; i < 2; i += 1) {
      const error = await rejectionOf(oidc.refreshTokenGrant(config, refreshToken));
      // openid-client treats a 5xx as an unexpected response and keeps it as the cause.
      expect(error.message).toMatch(/unexpected HTTP response status code/);
      expect((error.cause as unknown as Response).status).toBe(500);
    }
    await oidc.refreshTokenGrant(config, refreshToken);
    expect(idp.stats()).toMatchObject({ tokenErrors: 2, refreshGrants: 1 });
  });

  it("token http429 carries Retry-After", async () => {
    idp.inject({ target: "token", kind: "http429", retryAfter: 7 });
    const response = await fetch(`${idp.issuer}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    await oidc.refreshTokenGrant(config, refreshToken);
  });

  it("token timeout hangs until the client aborts; a delay answers late but normally", async () => {
    idp.inject({ target: "token", kind: "timeout" });
    const started = Date.now();
    const hung = await rejectionOf(
      fetch(`${idp.issuer}/token`, { method: "POST", body: "", signal: AbortSignal.timeout(300) }),
    );
    expect((hung as unknown as Error).name).toBe("TimeoutError");
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    idp.inject({ target: "token", kind: "timeout", delayMs: 250 });
    const delayedStart = Date.now();
    const tokens = await oidc.refreshTokenGrant(config, refreshToken);
    expect(tokens.access_token).toBeTruthy();
    expect(Date.now() - delayedStart).toBeGreaterThanOrEqual(240);
  });

  it("token oauthError answers the chosen error, profile-styled by default", async () => {
    idp.inject({ target: "token", kind: "oauthError" });
    const styled = await rejectionOf(oidc.refreshTokenGrant(config, refreshToken));
    expect(styled.cause).toEqual({
      error: "invalid_grant",
      error_description: "Token has been expired or revoked.",
    });
    idp.inject({ target: "token", kind: "oauthError", error: "invalid_client", description: "custom" });
    const custom = await rejectionOf(oidc.refreshTokenGrant(config, refreshToken));
    expect(custom.cause).toEqual({ error: "invalid_client", error_description: "custom" });
    // The real token is untouched by injected errors.
    await oidc.refreshTokenGrant(config, refreshToken);
  });

  it("api http429 with Retry-After, then slow, then normal", async () => {
    const url = `${idp.apiBaseUrl}/gmail/v1/users/me/messages?maxResults=1`;
    const headers = { authorization: `Bearer ${accessToken}` };
    idp.inject({ target: "api", kind: "http429", retryAfter: 3, count: 2 });
    for (let i = 0; i < 2; i += 1) {
      const limited = await fetch(url, { headers });
      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toBe("3");
      expect(((await limited.json()) as { error: { status: string } }).error.status).toBe(
        "RESOURCE_EXHAUSTED",
      );
    }
    idp.inject({ target: "api", kind: "slow", delayMs: 300 });
    const started = Date.now();
    const slow = await fetch(url, { headers });
    expect(slow.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const fast = Date.now();
    expect((await fetch(url, { headers })).status).toBe(200);
    expect(Date.now() - fast).toBeLessThan(250);
  });

  it("api http500 and clearFaults", async () => {
    const url = `${idp.apiBaseUrl}/gmail/v1/users/me/messages?maxResults=1`;
    const headers = { authorization: `Bearer ${accessToken}` };
    idp.inject({ target: "api", kind: "http500" });
    expect((await fetch(url, { headers })).status).toBe(500);
    idp.inject({ target: "api", kind: "http500", count: 5 });
    idp.inject({ target: "token", kind: "http500", count: 5 });
    idp.clearFaults();
    expect((await fetch(url, { headers })).status).toBe(200);
    await oidc.refreshTokenGrant(config, refreshToken);
  });

  it("stop() ends even with a hanging token request", async () => {
    const other = await startTestIdp({ profile: "generic", clients });
    other.inject({ target: "token", kind: "timeout" });
    const pending = fetch(`${other.issuer}/token`, { method: "POST", body: "" }).catch(
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await other.stop();
    expect(await pending).toBeInstanceOf(Error);
  });
});
