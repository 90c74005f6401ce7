import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completeAuthorization, GOOGLE_SCOPES, GRAPH_SCOPES, startTestIdp, type TestIdp } from "../src/index";
import { codeFlow, discover, REDIRECT_URI, rejectionOf } from "./flow";

const clients = [{ clientId: "app", clientSecret: "app-secret", redirectUris: [REDIRECT_URI] }];

describe.each(["google", "microsoft", "generic"] as const)("code flow with PKCE (%s)", (profile) => {
  let idp: TestIdp;
  beforeAll(async () => {
    idp = await startTestIdp({ profile, clients });
  });
  afterAll(async () => {
    await idp.stop();
  });

  it("issues signed ID tokens for the chosen user, with iss in the callback", async () => {
    const config = await discover(idp.issuer);
    const { tokens, callback } = await codeFlow(config, {
      scope: "openid email profile",
      user: "bob@example.test",
    });
    expect(callback.searchParams.get("iss")).toBe(idp.issuer);
    expect(callback.href.startsWith(REDIRECT_URI)).toBe(true);
    const claims = tokens.claims();
    expect(claims?.sub).toBe("user-bob-0002");
    expect(claims?.email).toBe("bob@example.test");
    expect(claims?.name).toBe("Bob Example");
    if (profile === "microsoft") expect(claims?.tid).toBe(idp.tenantId);
    else expect(claims?.tid).toBeUndefined();
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.expires_in).toBeGreaterThan(3000);
    const metadata = config.serverMetadata();
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.code_challenge_methods_supported).toEqual(["S256"]);
    expect(idp.stats().authorizations).toBe(1);
    expect(idp.stats().codeExchanges).toBe(1);
  });

  it("rejects an authorization request without PKCE", async () => {
    const config = await discover(idp.issuer);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: "openid",
      state: "s1",
    });
    const callback = await completeAuthorization(url);
    expect(callback.searchParams.get("error")).toBe("invalid_request");
    expect(callback.searchParams.get("state")).toBe("s1");
  });

  it("returns access_denied when the user denies consent", async () => {
    const config = await discover(idp.issuer);
    const error = await rejectionOf(codeFlow(config, { scope: "openid email", approve: false }));
    expect(error).toBeInstanceOf(oidc.AuthorizationResponseError);
    expect(error.error).toBe("access_denied");
  });

  it("rejects a wrong code verifier", async () => {
    const config = await discover(idp.issuer);
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: "openid",
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: "S256",
    });
    const callback = await completeAuthorization(url);
    const error = await rejectionOf(
      oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: state,
      }),
    );
    expect(error.error).toBe("invalid_grant");
  });

  it("rejects a wrong client secret", async () => {
    const config = await discover(idp.issuer, "app", "not-the-secret");
    const error = await rejectionOf(codeFlow(config, { scope: "openid" }));
    expect(error.error).toBe("invalid_client");
  });

  it("accepts the profile's API scopes", async () => {
    const config = await discover(idp.issuer);
    const scope =
      profile === "google"
        ? `openid ${GOOGLE_SCOPES.gmailReadonly} ${GOOGLE_SCOPES.driveReadonly}`
        : profile === "microsoft"
          ? `openid ${GRAPH_SCOPES.mailRead} Calendars.Read`
          : "openid api.read";
    const { tokens } = await codeFlow(config, { scope });
    expect(tokens.scope?.split(" ").sort()).toEqual(scope.split(" ").sort());
  });
});
