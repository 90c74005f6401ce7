import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeAction, minimalInput, parseStream } from "./helpers/actions";
import { uniq, waitFor } from "./helpers/env";
import {
  approve,
  authorizeAtIdp,
  callback,
  connect,
  createClient,
  createSession,
  GMAIL_READONLY,
  GRAPH_MAIL_READ,
  openConsent,
} from "./helpers/flows";
import { api, isProblem } from "./helpers/http";
import { startTestServer, type TestServer } from "./helpers/server";
import { startWebhookReceiver, verifySignature } from "./helpers/webhook-receiver";

/**
 * End to end over real HTTP against the test IdPs: every provider type, sessions, actions,
 * streaming, proxy, token access, revocation at the provider, signed webhooks, and finally a grep
 * of the captured logs for every secret seen during the run.
 */

/** Every secret that crossed the wire in this file; none may appear in the server's logs. */
const secrets = new Set<string>();
const originalFetch = globalThis.fetch;

/**
 * Observes the IdPs' token responses (the server runs in this process) so refresh and ID tokens,
 * which SCP never returns, can be grepped for too. Records only; the response is passed on intact.
 */
function teeTokenResponses(issuers: string[]) {
  globalThis.fetch = async (input, init) => {
    const response = await originalFetch(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (issuers.some((issuer) => url.startsWith(issuer)) && /token/.test(new URL(url).pathname)) {
      try {
        const body = (await response.clone().json()) as Record<string, unknown>;
        for (const key of ["access_token", "refresh_token", "id_token"]) {
          if (typeof body[key] === "string") secrets.add(body[key] as string);
        }
        if (typeof body.refresh_token === "string") idpRefreshTokensSeen += 1;
      } catch {
        // not JSON: nothing to record
      }
    }
    return response;
  };
}
let idpRefreshTokensSeen = 0;

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let webhookSecret: string;
let client: { id: string; apiKey: string };
let plainClient: { id: string; apiKey: string };

beforeAll(async () => {
  server = await startTestServer({ logLevel: "debug" });
  teeTokenResponses([server.idps.google.issuer, server.idps.microsoft.issuer, server.idps.acme.issuer]);
  secrets.add(server.adminKey);
  for (const credentials of Object.values(server.idps.credentials)) secrets.add(credentials.clientSecret);
  receiver = await startWebhookReceiver();
  client = await createClient(server.url, server.adminKey, {
    name: "Agent Platform",
    allowTokenAccess: true,
  });
  plainClient = await createClient(server.url, server.adminKey, { name: "No Token Access" });
  secrets.add(client.apiKey);
  secrets.add(plainClient.apiKey);
});

afterAll(async () => {
  globalThis.fetch = originalFetch;
  await receiver?.close();
  await server?.close();
});

describe("webhook subscription", () => {
  it("the admin subscribes a local receiver", async () => {
    const hook = await api<{ id: string; secret: string }>(server.url, "POST", "/v1/webhooks", {
      token: server.adminKey,
      body: { url: receiver.url, events: ["connection.created", "connection.revoked"] },
    });
    expect(hook.status, hook.text).toBe(201);
    expect(hook.json.id).toMatch(/^whk_/);
    expect(hook.json.secret.length).toBeGreaterThanOrEqual(32);
    webhookSecret = hook.json.secret;
    secrets.add(webhookSecret);
    const listed = await api<{ items: Array<{ id: string; secret?: string }> }>(
      server.url,
      "GET",
      "/v1/webhooks",
      {
        token: server.adminKey,
      },
    );
    expect(listed.json.items.map((item) => item.id)).toContain(hook.json.id);
    expect(listed.text).not.toContain(webhookSecret);
    expect((await api(server.url, "GET", "/v1/webhooks", { token: client.apiKey })).status).toBe(403);
  });
});

describe("discovery and health", () => {
  it("serves discovery, healthz, readyz and openapi", async () => {
    const discovery = await api<{
      protocolVersion: string;
      issuer: string;
      providers: Array<{ id: string }>;
      actions: string[];
    }>(server.url, "GET", "/.well-known/securecontext");
    expect(discovery.status).toBe(200);
    expect(discovery.json.protocolVersion).toBe("1.0");
    expect(discovery.json.issuer.replace(/\/$/, "")).toBe(server.url);
    expect(discovery.json.providers.map((provider) => provider.id).sort()).toEqual([
      "acme",
      "google",
      "microsoft",
    ]);
    expect(discovery.json.actions).toEqual(
      expect.arrayContaining(["google.gmail.search", "microsoft.mail.search"]),
    );
    expect((await api(server.url, "GET", "/healthz")).status).toBe(200);
    expect((await api(server.url, "GET", "/readyz")).status).toBe(200);
    const openapi = await api<{ openapi: string; paths: Record<string, unknown> }>(
      server.url,
      "GET",
      "/openapi.json",
    );
    expect(openapi.status).toBe(200);
    expect(openapi.json.openapi).toMatch(/^3\.1/);
    expect(Object.keys(openapi.json.paths)).toEqual(
      expect.arrayContaining(["/v1/sessions", "/v1/connect-requests"]),
    );
  });

  it("serves Prometheus metrics to the admin only", async () => {
    expect((await api(server.url, "GET", "/metrics")).status).toBe(401);
    expect((await api(server.url, "GET", "/metrics", { token: client.apiKey })).status).toBe(403);
    const metrics = await api(server.url, "GET", "/metrics", { token: server.adminKey });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/# TYPE \S+ (counter|histogram)/);
  });
});

interface ProviderCase {
  providerId: "google" | "microsoft" | "acme";
  scopes?: string[];
  actionId?: string;
  proxyPath: string;
  revocationEndpoint: boolean;
}

const cases: ProviderCase[] = [
  {
    providerId: "google",
    scopes: [GMAIL_READONLY],
    actionId: "google.gmail.search",
    proxyPath: "/gmail/v1/users/me/messages?maxResults=3",
    revocationEndpoint: true,
  },
  {
    providerId: "microsoft",
    scopes: [GRAPH_MAIL_READ],
    actionId: "microsoft.mail.search",
    proxyPath: "/v1.0/me/messages?$top=3",
    revocationEndpoint: false,
  },
  {
    providerId: "acme",
    scopes: ["api.read"],
    proxyPath: "/drive/v3/files?pageSize=3",
    revocationEndpoint: true,
  },
];

describe.each(cases)("end to end: $providerId", (testCase) => {
  const userId = uniq(`user-${testCase.providerId}-`);
  let connectionId: string;
  let session: { id: string; token: string };

  it("connects through consent page, IdP and callback; the connection shows the account", async () => {
    ({ connectionId } = await connect(server.url, client.apiKey, userId, testCase.providerId, {
      ...(testCase.scopes ? { scopes: testCase.scopes } : {}),
    }));
    const got = await api<Record<string, unknown> & { account: { email?: string }; scopes: string[] }>(
      server.url,
      "GET",
      `/v1/connections/${connectionId}`,
      { token: client.apiKey },
    );
    expect(got.status, got.text).toBe(200);
    expect(got.json).toMatchObject({
      id: connectionId,
      userId,
      providerId: testCase.providerId,
      status: "active",
    });
    expect(got.json.clientId).toBe(client.id);
    expect(got.json.account.email).toBe("alice@example.test");
    for (const scope of testCase.scopes ?? []) expect(got.json.scopes).toContain(scope);
    expect(got.text).not.toMatch(/refresh_?token|access_?token"\s*:\s*"/i);
    const list = await api<{ items: Array<{ id: string }>; nextCursor: string | null }>(
      server.url,
      "GET",
      `/v1/connections?userId=${encodeURIComponent(userId)}`,
      { token: client.apiKey },
    );
    expect(list.status).toBe(200);
    expect(list.json.items.map((item) => item.id)).toEqual([connectionId]);
    expect(list.json).toHaveProperty("nextCursor");
  });

  it("delivers a signed connection.created webhook", async () => {
    expect(webhookSecret, "webhook subscribed").toBeTruthy();
    const delivery = await waitFor(
      () =>
        receiver.deliveries.find(
          (d) => d.json.type === "connection.created" && JSON.stringify(d.json.data).includes(connectionId),
        ),
      "connection.created webhook",
    );
    expect(delivery.json.id).toBeTruthy();
    expect(delivery.json.createdAt).toBeTruthy();
    expect(delivery.headers["content-type"]).toMatch(/application\/json/);
    const signature = delivery.headers["scp-signature"] as string | undefined;
    expect(verifySignature(signature, delivery.body, webhookSecret), `signature ${signature}`).toBe(true);
    expect(verifySignature(signature, `${delivery.body} `, webhookSecret)).toBe(false);
    expect(verifySignature(signature, delivery.body, `${webhookSecret}x`)).toBe(false);
  });

  it("opens a session that introspects itself", async () => {
    const created = await createSession(server.url, client.apiKey, {
      userId,
      agentId: "e2e-agent",
      connectionIds: [connectionId],
      allowTokenAccess: true,
    });
    session = created;
    secrets.add(created.token);
    expect(created.connectionIds).toEqual([connectionId]);
    const self = await api<{ id: string; userId: string; connectionIds: string[] }>(
      server.url,
      "GET",
      "/v1/session",
      {
        token: created.token,
      },
    );
    expect(self.status, self.text).toBe(200);
    expect(self.json).toMatchObject({ id: created.id, userId, connectionIds: [connectionId] });
    expect(self.text).not.toContain(created.token);
    const sessions = await api<{ items: Array<{ id: string }> }>(
      server.url,
      "GET",
      `/v1/sessions?userId=${userId}`,
      {
        token: client.apiKey,
      },
    );
    expect(sessions.json.items.map((item) => item.id)).toContain(created.id);
  });

  // A generic OIDC provider has no typed actions; it is reached through the proxy only.
  const actionIt = testCase.actionId ? it : () => {};
  actionIt("runs an action through the session", async () => {
    const action = await describeAction(server.url, session.token, testCase.actionId!);
    const input = minimalInput(action.inputSchema as never, { maxResults: 5, top: 5, limit: 5, query: "" });
    const result = await api<{ output: unknown }>(server.url, "POST", `/v1/actions/${testCase.actionId}`, {
      token: session.token,
      body: { connectionId, input },
    });
    expect(result.status, result.text).toBe(200);
    expect(result.json).toHaveProperty("output");
    expect(JSON.stringify(result.json.output).length).toBeGreaterThan(2);
  });

  actionIt("streams every item as NDJSON and as SSE", async () => {
    const action = await describeAction(server.url, session.token, testCase.actionId!);
    const input = minimalInput(action.inputSchema as never, { query: "" });
    const ndjson = await api(server.url, "POST", `/v1/actions/${testCase.actionId}/stream`, {
      token: session.token,
      body: { connectionId, input },
    });
    expect(ndjson.status, ndjson.text.slice(0, 300)).toBe(200);
    expect(ndjson.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    const lines = parseStream(ndjson.text, "ndjson");
    const last = lines.at(-1);
    expect(last).toEqual({ done: true, count: lines.length - 1 });
    expect(lines.length - 1).toBeGreaterThan(0);
    const sse = await api(server.url, "POST", `/v1/actions/${testCase.actionId}/stream`, {
      token: session.token,
      body: { connectionId, input },
      headers: { accept: "text/event-stream" },
    });
    expect(sse.status).toBe(200);
    expect(sse.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = parseStream(sse.text, "sse");
    expect(events.at(-1)).toEqual({ done: true, count: lines.length - 1 });
    expect(events.length).toBe(lines.length);
  });

  it("proxies a GET to the provider API with the connection's token", async () => {
    const idp = server.idps[testCase.providerId];
    const before = Object.values(idp.stats().apiCalls).reduce((a, b) => a + b, 0);
    const proxied = await api<Record<string, unknown>>(
      server.url,
      "GET",
      `/v1/proxy/${connectionId}${testCase.proxyPath}`,
      { token: session.token, headers: { cookie: "should=not-forward" } },
    );
    expect(proxied.status, proxied.text.slice(0, 300)).toBe(200);
    expect(proxied.headers.get("content-type")).toMatch(/json/);
    const messages = (proxied.json.messages ?? proxied.json.value ?? proxied.json.files) as unknown[];
    expect(Array.isArray(messages)).toBe(true);
    expect(messages.length).toBeGreaterThan(0);
    const after = Object.values(idp.stats().apiCalls).reduce((a, b) => a + b, 0);
    expect(after).toBe(before + 1);
  });

  it("on an upstream 401 the proxy refreshes once and retries once", async () => {
    const idp = server.idps[testCase.providerId];
    await idp.expireAccessTokens("alice@example.test");
    const before = idp.stats().refreshGrants;
    const proxied = await api(server.url, "GET", `/v1/proxy/${connectionId}${testCase.proxyPath}`, {
      token: session.token,
    });
    expect(proxied.status, proxied.text.slice(0, 300)).toBe(200);
    expect(idp.stats().refreshGrants - before).toBe(1);
  });

  it("hands out the access token only with token access", async () => {
    const token = await api<{
      accessToken: string;
      tokenType: string;
      expiresAt: string | null;
      scopes: string[];
    }>(server.url, "POST", `/v1/connections/${connectionId}/token`, { token: session.token, body: {} });
    expect(token.status, token.text).toBe(200);
    expect(token.json.accessToken).toBeTruthy();
    expect(token.json.tokenType.toLowerCase()).toBe("bearer");
    expect(token.text).not.toMatch(/refresh/i);
    // Secrets are never cached by a browser or a proxy; the request id rides along.
    expect(token.headers.get("cache-control")).toBe("no-store");
    expect(token.headers.get("x-request-id")).toMatch(/^req_/);
    expect(token.headers.get("content-type")).toMatch(/^application\/json/);
    secrets.add(token.json.accessToken);
    if (testCase.proxyPath) {
      // The token is real: the provider API accepts it directly.
      const idp = server.idps[testCase.providerId];
      const direct = await fetch(new URL(testCase.proxyPath, idp.apiBaseUrl), {
        headers: { authorization: `Bearer ${token.json.accessToken}` },
      });
      expect(direct.status).toBe(200);
    }
    const viaClient = await api<{ accessToken: string }>(
      server.url,
      "POST",
      `/v1/connections/${connectionId}/token`,
      {
        token: client.apiKey,
        body: {},
      },
    );
    expect(viaClient.status).toBe(200);
    const viaAdmin = await api(server.url, "POST", `/v1/connections/${connectionId}/token`, {
      token: server.adminKey,
    });
    expect(viaAdmin.status, viaAdmin.text).toBe(200);

    const noAccess = await createSession(server.url, client.apiKey, {
      userId,
      connectionIds: [connectionId],
    });
    secrets.add(noAccess.token);
    const denied = await api(server.url, "POST", `/v1/connections/${connectionId}/token`, {
      token: noAccess.token,
      body: {},
    });
    expect(denied.status, denied.text).toBe(403);
    expect(isProblem(denied)).toBe(true);
    expect(denied.text).not.toContain(token.json.accessToken);
  });

  it("revokes at the provider on DELETE; the token endpoint then fails", async () => {
    const idp = server.idps[testCase.providerId];
    const before = idp.stats().revocations;
    const deleted = await api(server.url, "DELETE", `/v1/connections/${connectionId}`, {
      token: client.apiKey,
    });
    expect(deleted.status, deleted.text).toBe(204);
    expect(deleted.text).toBe("");
    if (testCase.revocationEndpoint) {
      expect(idp.stats().revocations).toBeGreaterThan(before);
    }
    const got = await api<{ status: string }>(server.url, "GET", `/v1/connections/${connectionId}`, {
      token: client.apiKey,
    });
    expect(got.status).toBe(200);
    expect(got.json.status).toBe("revoked");
    const token = await api(server.url, "POST", `/v1/connections/${connectionId}/token`, {
      token: client.apiKey,
      body: {},
    });
    expect(token.status).toBeGreaterThanOrEqual(400);
    expect(token.status).toBeLessThan(500);
    expect(isProblem(token)).toBe(true);
  });

  it("delivers a signed connection.revoked webhook", async () => {
    expect(webhookSecret, "webhook subscribed").toBeTruthy();
    const delivery = await waitFor(
      () =>
        receiver.deliveries.find(
          (d) => d.json.type === "connection.revoked" && JSON.stringify(d.json.data).includes(connectionId),
        ),
      "connection.revoked webhook",
    );
    expect(verifySignature(delivery.headers["scp-signature"] as string, delivery.body, webhookSecret)).toBe(
      true,
    );
  });
});

describe("actions without a suitable connection", () => {
  it("403 auth_required with a connectUrl for exactly the missing scopes", async () => {
    const userId = uniq("no-connection-");
    const action = await describeAction(server.url, client.apiKey, "google.gmail.search");
    const response = await api<{ code: string; connectUrl?: string }>(
      server.url,
      "POST",
      "/v1/actions/google.gmail.search",
      {
        token: client.apiKey,
        body: { userId, input: minimalInput(action.inputSchema as never) },
      },
    );
    expect(response.status, response.text).toBe(403);
    expect(isProblem(response)).toBe(true);
    expect(response.json.code).toBe("auth_required");
    expect(response.json.connectUrl).toMatch(new RegExp(`^${server.url}/connect/cr_`));
    const requestId = new URL(response.json.connectUrl ?? "").pathname.split("/").pop();
    const request = await api<{ status: string; scopes: string[] }>(
      server.url,
      "GET",
      `/v1/connect-requests/${requestId}`,
      {
        token: client.apiKey,
      },
    );
    expect(request.status, request.text).toBe(200);
    expect(request.json.status).toBe("pending");
    for (const scope of action.requiredScopes) expect(request.json.scopes).toContain(scope);
  });

  it("403 insufficient_scope when the connection lacks the action's scopes", async () => {
    const userId = uniq("narrow-");
    const { connectionId } = await connect(server.url, client.apiKey, userId, "google", {
      scopes: ["openid", "email", "profile"],
    });
    const action = await describeAction(server.url, client.apiKey, "google.gmail.search");
    const session = await createSession(server.url, client.apiKey, { userId, connectionIds: [connectionId] });
    secrets.add(session.token);
    const response = await api<{ code: string; connectUrl?: string }>(
      server.url,
      "POST",
      "/v1/actions/google.gmail.search",
      {
        token: session.token,
        body: { connectionId, input: minimalInput(action.inputSchema as never) },
      },
    );
    expect(response.status, response.text).toBe(403);
    expect(response.json.code).toBe("insufficient_scope");
    expect(response.json.connectUrl).toMatch(/\/connect\/cr_/);
    const requestId = new URL(response.json.connectUrl ?? "").pathname.split("/").pop();
    const request = await api<{ scopes: string[] }>(server.url, "GET", `/v1/connect-requests/${requestId}`, {
      token: client.apiKey,
    });
    expect(request.json.scopes).toEqual(expect.arrayContaining(action.requiredScopes));
    expect(request.json.scopes).not.toContain("https://www.googleapis.com/auth/drive.readonly");
  });
});

describe("result page", () => {
  it("the success page after the callback sends the same strict headers", async () => {
    const started = await openConsent(server.url, client.apiKey, {
      userId: uniq("result-"),
      providerId: "google",
    });
    const approved = await approve(server.url, started);
    const callbackUrl = await authorizeAtIdp(approved.headers.get("location") ?? "");
    const page = await callback(server.url, callbackUrl, started.jar);
    expect(page.status).toBe(200);
    expect(page.text).toContain("alice@example.test");
    expect(page.headers.get("content-security-policy") ?? "").toMatch(/frame-ancestors 'none'/);
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.headers.get("cache-control")).toMatch(/no-store/);
    expect(page.text).not.toMatch(/code=|state=/);
  });
});

describe("consent and result pages", () => {
  it("send strict security headers", async () => {
    const created = await api<{ id: string; url: string }>(server.url, "POST", "/v1/connect-requests", {
      token: client.apiKey,
      body: { userId: uniq("hdr-"), providerId: "google" },
    });
    expect(created.status).toBe(201);
    const page = await api(server.url, "GET", new URL(created.json.url).pathname);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.headers.get("cache-control")).toMatch(/no-store/);
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.text).toMatch(/id=["']scp-approve["']/);
    expect(page.text).toMatch(/id=["']scp-deny["']/);
    expect(page.text).toContain("Agent Platform");
    const cookie = page.headers.getSetCookie().find((line) => line.startsWith("scp_binding="));
    expect(cookie, "binding cookie").toBeDefined();
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=(Lax|Strict)/i);
  });
});

describe("secrets never logged", () => {
  it("captured logs hold none of the tokens, keys or secrets issued in this run", () => {
    const logs = server.logs!.text();
    expect(logs.length, "the server logged something at debug level").toBeGreaterThan(0);
    expect(idpRefreshTokensSeen, "the test observed refresh tokens issued by the IdPs").toBeGreaterThan(0);
    expect(secrets.size).toBeGreaterThan(10);
    const leaked = [...secrets].filter((secret) => secret.length >= 8 && logs.includes(secret));
    expect(leaked.map((secret) => `${secret.slice(0, 12)}…`)).toEqual([]);
    expect(logs).not.toMatch(/scp_(sk|st)_[0-9A-Za-z]{20,}/);
    expect(logs).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
  });
});
