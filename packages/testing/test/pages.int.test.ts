import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completeAuthorization, startTestIdp, type TestIdp } from "../src/index";
import { discover, REDIRECT_URI } from "./flow";

describe("login and consent pages", () => {
  let idp: TestIdp;
  let authorizationUrl: URL;
  beforeAll(async () => {
    idp = await startTestIdp({
      profile: "microsoft",
      clients: [{ clientId: "app", clientSecret: "app-secret", redirectUris: [REDIRECT_URI] }],
    });
    const config = await discover(idp.issuer);
    authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: "openid email",
      state: "st",
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: "S256",
      login_hint: "carol@example.test",
    });
  });
  afterAll(() => idp.stop());

  it("serves a real HTML login form prefilled with the hinted user", async () => {
    const first = await fetch(authorizationUrl, { redirect: "manual" });
    expect(first.status).toBe(303);
    const cookie = first.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const page = await fetch(new URL(first.headers.get("location")!, idp.issuer), { headers: { cookie } });
    const html = await page.text();
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(html).toMatch(/<form method="post" action="\/interaction\/[^"]+" id="idp-login-form">/);
    expect(html).toContain(
      'id="idp-email" name="email" type="email" autocomplete="username" value="carol@example.test"',
    );
    expect(html).not.toMatch(/<script|<link/);
  });

  it("refuses a wrong password and can sign in as a chosen user", async () => {
    await expect(
      completeAuthorization(authorizationUrl, { user: "bob@example.test", password: "wrong" }),
    ).rejects.toThrow(/401.*Unknown email or wrong password/);
    const callback = await completeAuthorization(authorizationUrl, { user: "user-bob-0002" });
    expect(callback.searchParams.get("code")).toBeTruthy();
    expect(callback.searchParams.get("state")).toBe("st");
    await expect(completeAuthorization(authorizationUrl, { user: "nobody@example.test" })).rejects.toThrow(
      /no user/,
    );
  });

  it("shows an error page for an unregistered redirect_uri instead of redirecting", async () => {
    const bad = new URL(authorizationUrl);
    bad.searchParams.set("redirect_uri", "http://evil.test/cb");
    await expect(completeAuthorization(bad)).rejects.toThrow(/400/);
  });
});
