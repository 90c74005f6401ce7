import { completeAuthorization, startTestIdp, type TestIdp } from "@securecontext/testing";
import { randomPKCECodeVerifier, randomState } from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProviderRegistry } from "../registry";
import { github } from "./github";

const REDIRECT_URI = "http://127.0.0.1:9/oauth/callback";
const FAKE_API = "http://github-api.test";

/**
 * GitHub itself is never called: the authorization server is the test IdP (generic profile, spoken to
 * as plain OAuth 2.0), and `GET /user`, `GET /user/repos` are answered by the injected fetch.
 */
describe("GitHub example provider (oauth2)", () => {
  let idp: TestIdp;
  const apiRequests: Array<{ path: string; authorization: string | null }> = [];
  const repos = Array.from({ length: 45 }, (_, i) => ({
    id: 1000 + i,
    full_name: `octo/repo-${i}`,
    private: i % 2 === 0,
    html_url: `https://github.com/octo/repo-${i}`,
    description: i === 0 ? null : `Repository ${i}`,
    updated_at: new Date(Date.UTC(2024, 0, 1 + i)).toISOString(),
  }));
  const fakeFetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin !== FAKE_API) return fetch(input, init);
    apiRequests.push({ path: url.pathname, authorization: new Headers(init?.headers).get("authorization") });
    if (url.pathname === "/user") {
      return Response.json({ id: 583231, login: "octocat", name: "The Octocat", email: null });
    }
    const page = Number(url.searchParams.get("page") ?? "1");
    const perPage = Number(url.searchParams.get("per_page") ?? "30");
    return Response.json(repos.slice((page - 1) * perPage, page * perPage));
  };

  beforeAll(async () => {
    idp = await startTestIdp({
      profile: "generic",
      clients: [
        {
          clientId: "gh",
          clientSecret: "gh-secret-0123456789",
          redirectUris: [REDIRECT_URI],
          tokenEndpointAuthMethod: "client_secret_post",
        },
      ],
    });
  });
  afterAll(() => idp.stop());

  it("connects over plain OAuth 2.0, reads the account from /user and lists repositories across pages", async () => {
    const provider = github({
      clientId: "gh",
      clientSecret: "gh-secret-0123456789",
      authorizationEndpoint: `${idp.issuer}/authorize`,
      tokenEndpoint: `${idp.issuer}/token`,
      apiBaseUrl: FAKE_API,
      allowInsecureHttp: true,
      fetch: fakeFetch,
    });
    const registry = createProviderRegistry([provider]);
    expect(registry.findAction("github.repos.list")?.providerId).toBe("github");
    expect(provider.type).toBe("oauth2");
    expect(provider.describeScope("repo")).toMatch(/repositories/);

    const checks = {
      state: randomState(),
      codeVerifier: randomPKCECodeVerifier(),
      redirectUri: REDIRECT_URI,
    };
    const url = await provider.authorizationUrl({ ...checks, scopes: ["api.read"] });
    expect(url.searchParams.has("nonce")).toBe(false);
    const callbackUrl = await completeAuthorization(url);
    const tokens = await provider.exchangeCode({ callbackUrl, checks });
    expect(tokens.idToken).toBeUndefined();

    await expect(provider.identity(tokens)).resolves.toEqual({ subject: "583231", name: "The Octocat" });
    expect(apiRequests[0]).toEqual({ path: "/user", authorization: `Bearer ${tokens.accessToken}` });

    const action = registry.findAction("github.repos.list")!;
    const context = {
      apiBaseUrl: provider.apiBaseUrls[0]!,
      fetch: (input: string | URL, init?: RequestInit) =>
        fakeFetch(input, {
          ...init,
          headers: {
            ...(init?.headers as Record<string, string>),
            authorization: `Bearer ${tokens.accessToken}`,
          },
        }),
    };
    const first = (await action.run(context, { maxResults: 20 })) as {
      repositories: unknown[];
      nextPageToken: string | null;
    };
    expect(first.repositories).toHaveLength(20);
    expect(first.nextPageToken).toBe("2");
    const all: unknown[] = [];
    for await (const repo of action.stream!(context, { maxResults: 20 })) all.push(repo);
    expect(all).toHaveLength(45);
    await expect(provider.revoke({ token: tokens.accessToken })).resolves.toMatchObject({ revoked: false });
  });
});
