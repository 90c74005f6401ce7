import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GOOGLE_SCOPES, GRAPH_SCOPES, startTestIdp, type TestIdp } from "../src/index";
import { codeFlow, discover, REDIRECT_URI, rejectionOf } from "./flow";

const clients = [{ clientId: "app", clientSecret: "app-secret", redirectUris: [REDIRECT_URI] }];
const GOOGLE_OFFLINE = { access_type: "offline", prompt: "consent" };

describe("google profile refresh tokens", () => {
  let idp: TestIdp;
  let config: oidc.Configuration;
  beforeAll(async () => {
    idp = await startTestIdp({ profile: "google", clients });
    config = await discover(idp.issuer);
  });
  afterAll(() => idp.stop());

  it("issues no refresh token without access_type=offline and prompt=consent", async () => {
    const scope = `openid email ${GOOGLE_SCOPES.gmailReadonly}`;
    expect((await codeFlow(config, { scope })).tokens.refresh_token).toBeUndefined();
    const onlyOffline = await codeFlow(config, { scope, extra: { access_type: "offline" } });
    expect(onlyOffline.tokens.refresh_token).toBeUndefined();
    const onlyConsent = await codeFlow(config, { scope, extra: { prompt: "consent" } });
    expect(onlyConsent.tokens.refresh_token).toBeUndefined();
    const offlineAccess = await codeFlow(config, { scope: `${scope} offline_access` });
    expect(offlineAccess.tokens.refresh_token).toBeUndefined();
    const both = await codeFlow(config, { scope, extra: GOOGLE_OFFLINE });
    expect(both.tokens.refresh_token).toBeTruthy();
  });

  it("does not rotate: the same refresh token keeps working", async () => {
    const { tokens } = await codeFlow(config, { scope: "openid email", extra: GOOGLE_OFFLINE });
    const refreshToken = tokens.refresh_token!;
    const first = await oidc.refreshTokenGrant(config, refreshToken);
    const second = await oidc.refreshTokenGrant(config, refreshToken);
    expect(first.refresh_token).toBeUndefined();
    expect(second.access_token).not.toBe(first.access_token);
    expect(first.claims()?.sub).toBe("user-alice-0001");
  });

  it("revocation really revokes the refresh token and its grant, answering Google-style", async () => {
    const { tokens } = await codeFlow(config, { scope: "openid email", extra: GOOGLE_OFFLINE });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    idp.resetStats();
    await oidc.tokenRevocation(config, tokens.refresh_token!);
    expect(idp.stats().revocations).toBe(1);
    const error = await rejectionOf(oidc.refreshTokenGrant(config, tokens.refresh_token!));
    expect(error.status).toBe(400);
    expect(error.cause).toEqual({
      error: "invalid_grant",
      error_description: "Token has been expired or revoked.",
    });
    // The grant's access tokens died with it.
    const userinfo = await rejectionOf(
      oidc.fetchUserInfo(config, refreshed.access_token, oidc.skipSubjectCheck),
    );
    expect(userinfo).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
  });

  it("an expired refresh token fails Google-style", async () => {
    const { tokens } = await codeFlow(config, {
      scope: "openid",
      extra: GOOGLE_OFFLINE,
      user: "carol@example.test",
    });
    expect(await idp.expireRefreshTokens("carol@example.test")).toBeGreaterThan(0);
    const error = await rejectionOf(oidc.refreshTokenGrant(config, tokens.refresh_token!));
    expect(error.error_description).toBe("Token has been expired or revoked.");
  });

  it("lists the revocation endpoint in discovery", () => {
    expect(config.serverMetadata().revocation_endpoint).toBe(`${idp.issuer}/revoke`);
  });
});

describe("microsoft profile refresh tokens", () => {
  let idp: TestIdp;
  let config: oidc.Configuration;
  const scope = `openid email profile offline_access ${GRAPH_SCOPES.mailRead}`;
  beforeAll(async () => {
    idp = await startTestIdp({ profile: "microsoft", clients });
    config = await discover(idp.issuer);
  });
  afterAll(() => idp.stop());

  it("issues a refresh token only with offline_access", async () => {
    const without = await codeFlow(config, { scope: `openid ${GRAPH_SCOPES.mailRead}` });
    expect(without.tokens.refresh_token).toBeUndefined();
    const withOffline = await codeFlow(config, { scope });
    expect(withOffline.tokens.refresh_token).toBeTruthy();
  });

  it("rotates on every refresh; reusing an old token revokes the whole grant", async () => {
    const { tokens } = await codeFlow(config, { scope });
    const r0 = tokens.refresh_token!;
    const first = await oidc.refreshTokenGrant(config, r0);
    const r1 = first.refresh_token!;
    const second = await oidc.refreshTokenGrant(config, r1);
    const r2 = second.refresh_token!;
    expect(new Set([r0, r1, r2]).size).toBe(3);
    expect(second.claims()?.tid).toBe(idp.tenantId);

    idp.resetStats();
    const reuse = await rejectionOf(oidc.refreshTokenGrant(config, r1));
    expect(reuse.error).toBe("invalid_grant");
    expect(reuse.error_description).toMatch(/^AADSTS50173: /);
    expect(idp.stats().refreshReuseDetections).toBe(1);
    expect(idp.stats().tokenErrors).toBe(1);

    const newest = await rejectionOf(oidc.refreshTokenGrant(config, r2));
    expect(newest.error).toBe("invalid_grant");
    expect(newest.error_description).toMatch(/^AADSTS50173: /);
    const userinfo = await rejectionOf(
      oidc.fetchUserInfo(config, second.access_token, oidc.skipSubjectCheck),
    );
    expect(userinfo).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
  });

  it("answers AADSTS700082 for an expired refresh token", async () => {
    const { tokens } = await codeFlow(config, { scope, user: "bob@example.test" });
    await idp.expireRefreshTokens("bob@example.test");
    const error = await rejectionOf(oidc.refreshTokenGrant(config, tokens.refresh_token!));
    expect(error.error).toBe("invalid_grant");
    expect(error.error_description).toMatch(/^AADSTS700082: /);
    expect((error.cause as { error_codes: number[] }).error_codes).toEqual([700082]);
  });

  it("answers AADSTS50173 after the user's grants are revoked", async () => {
    const { tokens } = await codeFlow(config, { scope, user: "carol@example.test" });
    expect(await idp.revokeGrantsFor("carol@example.test")).toBeGreaterThan(0);
    const error = await rejectionOf(oidc.refreshTokenGrant(config, tokens.refresh_token!));
    expect(error.error_description).toMatch(/^AADSTS50173: /);
  });

  it("answers AADSTS65001 when consent is required, and for a scope never consented", async () => {
    const { tokens } = await codeFlow(config, { scope });
    const wider = await rejectionOf(
      oidc.refreshTokenGrant(config, tokens.refresh_token!, { scope: `openid ${GRAPH_SCOPES.filesReadAll}` }),
    );
    expect(wider.error).toBe("invalid_grant");
    expect(wider.error_description).toMatch(/^AADSTS65001: /);

    const fresh = await codeFlow(config, { scope, user: "bob@example.test" });
    idp.requireConsent("bob@example.test");
    const error = await rejectionOf(oidc.refreshTokenGrant(config, fresh.tokens.refresh_token!));
    expect(error.error_description).toMatch(/^AADSTS65001: /);
  });

  it("has no revocation endpoint", () => {
    expect(config.serverMetadata().revocation_endpoint).toBeUndefined();
  });
});

describe("generic profile", () => {
  it("refreshes with offline_access, without rotation unless asked", async () => {
    const plain = await startTestIdp({ profile: "generic", clients });
    const rotating = await startTestIdp({ profile: "generic", clients, rotateRefreshTokens: true });
    try {
      const plainConfig = await discover(plain.issuer);
      const { tokens } = await codeFlow(plainConfig, { scope: "openid offline_access" });
      const refreshed = await oidc.refreshTokenGrant(plainConfig, tokens.refresh_token!);
      expect(refreshed.refresh_token).toBeUndefined();
      expect(plainConfig.serverMetadata().revocation_endpoint).toBeTruthy();

      const rotatingConfig = await discover(rotating.issuer);
      const rotated = await codeFlow(rotatingConfig, { scope: "openid offline_access" });
      const next = await oidc.refreshTokenGrant(rotatingConfig, rotated.tokens.refresh_token!);
      expect(next.refresh_token).toBeTruthy();
      expect(next.refresh_token).not.toBe(rotated.tokens.refresh_token);
    } finally {
      await Promise.all([plain.stop(), rotating.stop()]);
    }
  });
});
