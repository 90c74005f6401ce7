import { completeAuthorization, startTestIdp, type TestIdp } from "@securecontext/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/index";

const KEY = "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const ADMIN = "admin-key-for-tests-0123456789abcdef";

/** A configured generic OIDC provider (SCP_CONFIG path) and graceful shutdown with a request in flight. */
describe("core: configured provider and graceful shutdown", () => {
  let idp: TestIdp;
  let server: RunningServer;
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    idp = await startTestIdp({
      profile: "google",
      clients: [{ clientId: "scp", clientSecret: "scp-secret", redirectUris: [`${base}/oauth/callback`] }],
    });
    server = await startServer({
      env: {
        SCP_STORE: "memory:",
        SCP_LOG_LEVEL: "silent",
        SCP_ENCRYPTION_KEYS: KEY,
        SCP_ADMIN_KEY: ADMIN,
        SCP_ALLOW_INSECURE_HTTP: "true",
        SCP_RATE_LIMIT: "0",
        IDP_SECRET: "scp-secret",
      },
      configFile: {
        providers: [
          {
            id: "acme",
            type: "oidc",
            displayName: "Acme SSO",
            clientId: "scp",
            clientSecret: "env:IDP_SECRET",
            issuer: idp.issuer,
            apiBaseUrls: [idp.apiBaseUrl],
            scopes: [
              "openid",
              "email",
              "profile",
              "offline_access",
              "https://www.googleapis.com/auth/gmail.readonly",
            ],
          },
        ],
      },
      port,
    });
  });
  afterAll(async () => {
    await server?.close();
    await idp?.stop();
  });

  it("connects the oidc provider, then finishes an in-flight proxy call while shutting down", async () => {
    expect(server.demo).toBe(false);
    const headers = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
    const created = await fetch(`${server.url}/v1/connect-requests`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        userId: "u",
        providerId: "acme",
        scopes: ["https://www.googleapis.com/auth/gmail.readonly"],
      }),
    });
    const request = await created.json();
    expect(created.status, JSON.stringify(request)).toBe(201);
    const page = await fetch(request.url);
    const html = await page.text();
    expect(html).toContain("Acme SSO");
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const approve = await fetch(`${request.url}/approve`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: new URLSearchParams({ csrf }).toString(),
      redirect: "manual",
    });
    const authorizationUrl = new URL(approve.headers.get("location") as string);
    expect(authorizationUrl.searchParams.get("nonce")).toBeTruthy();
    const callback = await completeAuthorization(authorizationUrl, { user: "carol@example.test" });
    const result = await fetch(callback, { headers: { cookie } });
    expect(await result.text()).toContain("carol@example.test");
    const { connectionId } = await (
      await fetch(`${server.url}/v1/connect-requests/${request.id}`, { headers })
    ).json();

    idp.inject({ target: "api", kind: "slow", delayMs: 800 });
    const inflight = fetch(`${server.url}/v1/proxy/${connectionId}/gmail/v1/users/me/messages?maxResults=1`, {
      headers,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closing = server.close();
    const response = await inflight;
    expect(response.status).toBe(200);
    expect((await response.json()).messages).toHaveLength(1);
    await closing;
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
