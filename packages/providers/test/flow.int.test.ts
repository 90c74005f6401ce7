import { inspect } from "node:util";
import { ConfigError, ProviderError } from "@securecontext/protocol";
import type { TestIdp } from "@securecontext/testing";
import { randomPKCECodeVerifier } from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { google } from "../src/google";
import type { OAuthProvider } from "../src/types";
import {
  authorize,
  CLIENT_ID,
  CLIENT_SECRET,
  connect,
  type Profile,
  providerFor,
  rejection,
  startIdp,
} from "./helpers";

const profiles: Profile[] = ["google", "microsoft", "generic"];

describe.each(profiles)("authorization code flow (%s profile)", (profile) => {
  let idp: TestIdp;
  let provider: OAuthProvider;
  beforeAll(async () => {
    idp = await startIdp(profile);
    provider = providerFor(profile, idp);
  });
  afterAll(() => idp.stop());

  it("builds an authorization URL with PKCE S256, state, nonce and the provider's parameters", async () => {
    const url = await provider.authorizationUrl({
      state: "s".repeat(43),
      codeVerifier: randomPKCECodeVerifier(),
      nonce: "n".repeat(22),
      scopes: [],
      redirectUri: "http://127.0.0.1:9/oauth/callback",
      extraParams: { access_type: "online", login_hint: "alice@example.test" },
    });
    expect(url.origin).toBe(idp.issuer);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get("state")).toBe("s".repeat(43));
    expect(url.searchParams.get("nonce")).toBe("n".repeat(22));
    expect(url.searchParams.get("login_hint")).toBe("alice@example.test");
    const scopes = url.searchParams.get("scope")?.split(" ") ?? [];
    expect(scopes).toContain("openid");
    if (profile === "google") {
      expect(url.searchParams.get("access_type")).toBe("offline"); // forced, not overridable
      expect(url.searchParams.get("prompt")).toBe("consent");
      expect(url.searchParams.get("include_granted_scopes")).toBe("true");
    }
    if (profile === "microsoft") expect(scopes).toContain("offline_access");
  });

  it("exchanges the code for a token set and reads the identity", async () => {
    const before = Date.now();
    const tokens = await connect(provider, [], "alice@example.test");
    expect(tokens.accessToken).toBeTruthy();
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.idToken).toBeTruthy();
    expect(tokens.tokenType).toBe("Bearer");
    expect(tokens.obtainedAt).toBeGreaterThanOrEqual(before);
    expect(tokens.expiresAt).toBeGreaterThan(Date.now() + 3000_000);
    expect(tokens.scopes).toContain("openid");
    const account = await provider.identity(tokens);
    expect(account.subject).toBe("user-alice-0001");
    expect(account.email).toBe("alice@example.test");
    expect(account.name).toBe("Alice Example");
    if (profile === "microsoft") expect(account.tenantId).toBe(idp.tenantId);
    else expect(account.tenantId).toBeUndefined();
  });

  it("reads the identity from userinfo when there is no ID token", async () => {
    const tokens = await connect(provider);
    const { idToken: _dropped, ...withoutIdToken } = tokens;
    const account = await provider.identity(withoutIdToken);
    expect(account.subject).toBe("user-alice-0001");
    expect(account.email).toBe("alice@example.test");
  });

  it("rejects a callback whose state differs (invalid_state)", async () => {
    const { callbackUrl, checks } = await authorize(provider);
    const error = await rejection(
      provider.exchangeCode({ callbackUrl, checks: { ...checks, state: "other-state" } }),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).error).toBe("invalid_state");
    expect(idp.stats().codeExchanges).toBe(2);
  });

  it("rejects a replayed code (invalid_grant from the server)", async () => {
    const { callbackUrl, checks } = await authorize(provider);
    await provider.exchangeCode({ callbackUrl, checks });
    const error = await rejection(provider.exchangeCode({ callbackUrl, checks }));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).error).toBe("invalid_grant");
  });

  it("rejects a callback with a foreign iss (RFC 9207, invalid_iss)", async () => {
    const { callbackUrl, checks } = await authorize(provider);
    expect(callbackUrl.searchParams.get("iss")).toBe(idp.issuer);
    callbackUrl.searchParams.set("iss", "https://attacker.example");
    const error = await rejection(provider.exchangeCode({ callbackUrl, checks }));
    expect((error as ProviderError).error).toBe("invalid_iss");
  });

  it("rejects a callback without iss when the server advertises RFC 9207", async () => {
    const { callbackUrl, checks } = await authorize(provider);
    callbackUrl.searchParams.delete("iss");
    const error = await rejection(provider.exchangeCode({ callbackUrl, checks }));
    expect((error as ProviderError).error).toBe("invalid_iss");
  });

  it("rejects an ID token whose nonce differs (invalid_nonce)", async () => {
    const { callbackUrl, checks } = await authorize(provider);
    const error = await rejection(
      provider.exchangeCode({ callbackUrl, checks: { ...checks, nonce: "another-nonce" } }),
    );
    expect((error as ProviderError).error).toBe("invalid_nonce");
  });

  it("rejects a wrong PKCE verifier (server) and a missing one (before any request)", async () => {
    const { callbackUrl, checks } = await authorize(provider);
    const wrong = await rejection(
      provider.exchangeCode({ callbackUrl, checks: { ...checks, codeVerifier: randomPKCECodeVerifier() } }),
    );
    expect((wrong as ProviderError).error).toBe("invalid_grant");
    const second = await authorize(provider);
    const errorsBefore = idp.stats().tokenErrors;
    const missing = await rejection(
      provider.exchangeCode({
        callbackUrl: second.callbackUrl,
        checks: { ...second.checks, codeVerifier: "" },
      }),
    );
    expect((missing as ProviderError).error).toBe("invalid_pkce");
    expect(idp.stats().tokenErrors).toBe(errorsBefore);
  });

  it("rejects a callback without a code (invalid_callback) and a denied consent (access_denied)", async () => {
    const { callbackUrl, checks } = await authorize(provider);
    callbackUrl.searchParams.delete("code");
    const error = await rejection(provider.exchangeCode({ callbackUrl, checks }));
    expect((error as ProviderError).error).toBe("invalid_callback");
    const denied = await authorize(provider, [], { approve: false });
    const deniedError = await rejection(provider.exchangeCode(denied));
    expect((deniedError as ProviderError).error).toBe("access_denied");
  });

  it("never puts the client secret or tokens in errors", async () => {
    const { callbackUrl, checks } = await authorize(provider);
    const error = await rejection(provider.exchangeCode({ callbackUrl, checks: { ...checks, nonce: "x" } }));
    const text = `${inspect(error, { depth: 10 })} ${JSON.stringify(error)}`;
    expect(text).not.toContain(CLIENT_SECRET);
    expect(text).not.toMatch(/access_token|refresh_token|eyJ/);
  });
});

describe("configuration safety", () => {
  it("refuses http issuers unless allowInsecureHttp is set", () => {
    expect(() =>
      google({ issuer: "http://127.0.0.1:1", clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }),
    ).toThrow(ConfigError);
    expect(() =>
      google({
        issuer: "http://127.0.0.1:1",
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        allowInsecureHttp: true,
      }),
    ).not.toThrow();
  });
});
