import { startTestIdp, type TestIdp } from "@securecontext/testing";
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oidc } from "../src/oidc";
import { connect, REDIRECT_URI } from "./helpers";

describe("client authentication methods against the generic profile", () => {
  let idp: TestIdp;
  let privateJwk: Awaited<ReturnType<typeof exportJWK>>;
  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    privateJwk = { ...(await exportJWK(privateKey)), alg: "ES256", kid: "k1" };
    const publicJwk = { ...(await exportJWK(publicKey)), alg: "ES256", kid: "k1", use: "sig" };
    idp = await startTestIdp({
      profile: "generic",
      clients: [
        { clientId: "basic", clientSecret: "basic-secret-0123456789", redirectUris: [REDIRECT_URI] },
        {
          clientId: "post",
          clientSecret: "post-secret-0123456789",
          redirectUris: [REDIRECT_URI],
          tokenEndpointAuthMethod: "client_secret_post",
        },
        { clientId: "public", redirectUris: [REDIRECT_URI], tokenEndpointAuthMethod: "none" },
        {
          clientId: "jwt",
          redirectUris: [REDIRECT_URI],
          tokenEndpointAuthMethod: "private_key_jwt",
          jwks: { keys: [publicJwk as JsonWebKey] },
        },
      ],
    });
  });
  afterAll(() => idp.stop());

  const base = () => ({
    issuer: idp.issuer,
    allowInsecureHttp: true,
    defaultScopes: ["openid", "email", "offline_access"],
  });

  it("client_secret_basic (default with a secret)", async () => {
    const tokens = await connect(
      oidc({ ...base(), clientId: "basic", clientSecret: "basic-secret-0123456789" }),
    );
    expect(tokens.refreshToken).toBeTruthy();
  });

  it("client_secret_post", async () => {
    const provider = oidc({
      ...base(),
      clientId: "post",
      clientSecret: "post-secret-0123456789",
      clientAuthentication: "client_secret_post",
    });
    const tokens = await connect(provider);
    await expect(provider.refresh({ refreshToken: tokens.refreshToken! })).resolves.toBeTruthy();
  });

  it("public client (none)", async () => {
    const tokens = await connect(oidc({ ...base(), clientId: "public" }));
    expect(tokens.accessToken).toBeTruthy();
  });

  it("private_key_jwt", async () => {
    const provider = oidc({
      ...base(),
      clientId: "jwt",
      clientAuthentication: "private_key_jwt",
      privateKey: privateJwk,
    });
    const tokens = await connect(provider);
    await expect(provider.refresh({ refreshToken: tokens.refreshToken! })).resolves.toBeTruthy();
  });

  it("explicit metadata instead of discovery, and a fetch that is injected", async () => {
    const seen: string[] = [];
    const provider = oidc({
      clientId: "basic",
      clientSecret: "basic-secret-0123456789",
      allowInsecureHttp: true,
      metadata: {
        issuer: idp.issuer,
        authorization_endpoint: `${idp.issuer}/authorize`,
        token_endpoint: `${idp.issuer}/token`,
        jwks_uri: `${idp.issuer}/jwks`,
        authorization_response_iss_parameter_supported: true,
      },
      fetch: (input, init) => {
        seen.push(new URL(String(input instanceof Request ? input.url : input)).pathname);
        return fetch(input, init);
      },
    });
    expect(provider.supportsRevocation).toBe(false);
    const tokens = await connect(provider);
    expect(tokens.idToken).toBeTruthy();
    expect(seen).not.toContain("/.well-known/openid-configuration");
    expect(seen).toEqual(expect.arrayContaining(["/token", "/jwks"]));
    await expect(provider.revoke({ token: tokens.accessToken })).resolves.toMatchObject({ revoked: false });
  });

  it("discovers lazily, once, and retries discovery after a failure", async () => {
    let discoveries = 0;
    let failNext = true;
    const provider = oidc({
      ...base(),
      clientId: "basic",
      clientSecret: "basic-secret-0123456789",
      fetch: async (input, init) => {
        if (String(input).includes("/.well-known/")) {
          discoveries++;
          if (failNext) {
            failNext = false;
            throw new TypeError("fetch failed");
          }
        }
        return fetch(input, init);
      },
    });
    expect(discoveries).toBe(0);
    await expect(connect(provider)).rejects.toMatchObject({ name: "TransportError" });
    await connect(provider);
    await connect(provider);
    expect(discoveries).toBe(2);
  });
});
