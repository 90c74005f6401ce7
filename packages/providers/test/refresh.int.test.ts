import { ProviderError, TransportError } from "@securecontext/protocol";
import type { TestIdp } from "@securecontext/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { classifyError } from "../src/classify";
import type { OAuthProvider } from "../src/types";
import { connect, type Profile, providerFor, rejection, startIdp } from "./helpers";

const profiles: Profile[] = ["google", "microsoft", "generic"];

describe.each(profiles)("refresh and failure classification (%s profile)", (profile) => {
  let idp: TestIdp;
  let provider: OAuthProvider;
  beforeAll(async () => {
    idp = await startIdp(profile);
    provider = providerFor(profile, idp, { timeoutMs: 1500 });
  });
  afterEach(() => idp.clearFaults());
  afterAll(() => idp.stop());

  it("refreshes, returning a new access token and keeping the granted scopes", async () => {
    const tokens = await connect(provider, [], "bob@example.test");
    const refreshed = await provider.refresh({
      refreshToken: tokens.refreshToken!,
      grantedScopes: tokens.scopes,
    });
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect(refreshed.scopes).toEqual(expect.arrayContaining(["openid"]));
    expect(refreshed.obtainedAt).toBeGreaterThanOrEqual(tokens.obtainedAt);
    if (profile === "microsoft") {
      expect(refreshed.refreshToken).toBeTruthy();
      expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    } else {
      expect(refreshed.refreshToken).toBeUndefined(); // not rotated: the caller keeps the old one
    }
    const account = await provider.identity({ ...tokens, ...refreshed });
    expect(account.subject).toBe("user-bob-0002");
  });

  it("classifies server errors, 429 and timeouts as transient", async () => {
    const tokens = await connect(provider);
    idp.inject({ target: "token", kind: "http500" });
    const server = await rejection(provider.refresh({ refreshToken: tokens.refreshToken! }));
    expect(classifyError(server)).toMatchObject({ kind: "transient" });
    idp.inject({ target: "token", kind: "http429", retryAfter: 5 });
    const limited = await rejection(provider.refresh({ refreshToken: tokens.refreshToken! }));
    expect(provider.classifyError(limited)).toMatchObject({ kind: "transient" });
    idp.inject({ target: "token", kind: "timeout" });
    const slow = await rejection(provider.refresh({ refreshToken: tokens.refreshToken! }));
    expect(slow).toBeInstanceOf(TransportError);
    expect(provider.classifyError(slow)).toMatchObject({ kind: "transient" });
    // The refresh token still works afterwards: nothing above spent it.
    await expect(provider.refresh({ refreshToken: tokens.refreshToken! })).resolves.toBeTruthy();
  });

  it("classifies an expired refresh token as reauth", async () => {
    const tokens = await connect(provider, [], "carol@example.test");
    await idp.expireRefreshTokens("carol@example.test");
    const error = await rejection(provider.refresh({ refreshToken: tokens.refreshToken! }));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).error).toBe("invalid_grant");
    const classified = provider.classifyError(error);
    expect(classified.kind).toBe("reauth");
    // Google words expiry and revocation alike ("Token has been expired or revoked.").
    expect(classified.reason).toBe(profile === "google" ? "refresh_token_revoked" : "refresh_token_expired");
    expect(classified.hint.length).toBeGreaterThan(20);
  });

  it("classifies a revoked grant and a consent requirement as reauth", async () => {
    const tokens = await connect(provider, [], "carol@example.test");
    await idp.revokeGrantsFor("carol@example.test");
    const revoked = await rejection(provider.refresh({ refreshToken: tokens.refreshToken! }));
    expect(provider.classifyError(revoked)).toMatchObject({
      kind: "reauth",
      reason: "refresh_token_revoked",
    });

    const again = await connect(provider, [], "carol@example.test");
    idp.requireConsent("carol@example.test");
    const consent = await rejection(provider.refresh({ refreshToken: again.refreshToken! }));
    expect(provider.classifyError(consent)).toMatchObject({ kind: "reauth", reason: "consent_required" });
  });

  it("classifies invalid_client as an operator problem", async () => {
    const tokens = await connect(provider);
    idp.inject({
      target: "token",
      kind: "oauthError",
      error: "invalid_client",
      description: "client authentication failed",
    });
    const error = await rejection(provider.refresh({ refreshToken: tokens.refreshToken! }));
    expect(provider.classifyError(error)).toMatchObject({ kind: "reauth", reason: "invalid_client" });
  });
});

describe("Microsoft refresh token rotation", () => {
  let idp: TestIdp;
  let provider: OAuthProvider;
  beforeAll(async () => {
    idp = await startIdp("microsoft");
    provider = providerFor("microsoft", idp);
  });
  afterAll(() => idp.stop());

  it("returns a new refresh token on every refresh; chaining them never trips reuse detection", async () => {
    const first = await connect(provider);
    const seen = new Set([first.refreshToken]);
    let current = first.refreshToken!;
    for (let i = 0; i < 5; i++) {
      const next = await provider.refresh({ refreshToken: current });
      expect(next.refreshToken).toBeTruthy();
      expect(seen.has(next.refreshToken)).toBe(false);
      seen.add(next.refreshToken);
      current = next.refreshToken!;
    }
    expect(idp.stats().refreshReuseDetections).toBe(0);
  });

  it("a reused (rotated-out) refresh token revokes the grant and is classified reauth", async () => {
    const first = await connect(provider);
    const second = await provider.refresh({ refreshToken: first.refreshToken! });
    const reuse = await rejection(provider.refresh({ refreshToken: first.refreshToken! }));
    expect(provider.classifyError(reuse)).toMatchObject({ kind: "reauth", reason: "refresh_token_revoked" });
    expect((reuse as ProviderError).errorDescription).toMatch(/^AADSTS50173/);
    expect(idp.stats().refreshReuseDetections).toBe(1);
    // The whole grant is gone, including the newest token.
    const after = await rejection(provider.refresh({ refreshToken: second.refreshToken! }));
    expect(provider.classifyError(after).kind).toBe("reauth");
  });

  it("says plainly that it cannot revoke", async () => {
    expect(provider.supportsRevocation).toBe(false);
    await expect(provider.revoke({ token: "anything" })).resolves.toEqual({
      revoked: false,
      reason: "Microsoft identity platform has no token revocation endpoint",
    });
  });
});

describe("Google revocation", () => {
  let idp: TestIdp;
  let provider: OAuthProvider;
  beforeAll(async () => {
    idp = await startIdp("google");
    provider = providerFor("google", idp);
  });
  afterAll(() => idp.stop());

  it("really revokes: a refresh afterwards fails with invalid_grant, classified reauth", async () => {
    const tokens = await connect(provider);
    expect(provider.supportsRevocation).toBe(true);
    await expect(
      provider.revoke({ token: tokens.refreshToken!, tokenTypeHint: "refresh_token" }),
    ).resolves.toEqual({
      revoked: true,
    });
    expect(idp.stats().revocations).toBe(1);
    const error = await rejection(provider.refresh({ refreshToken: tokens.refreshToken! }));
    expect((error as ProviderError).error).toBe("invalid_grant");
    expect(provider.classifyError(error)).toMatchObject({ kind: "reauth", reason: "refresh_token_revoked" });
  });
});
