import { connect as openSocket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { uniq } from "./helpers/env";
import {
  approve,
  authorizeAtIdp,
  callback,
  connect,
  createClient,
  createSession,
  GMAIL_READONLY,
  openConsent,
} from "./helpers/flows";
import { api, CookieJar, isProblem, rawRequest } from "./helpers/http";
import { startTestServer, type TestServer } from "./helpers/server";
import { startEvilHost } from "./helpers/webhook-receiver";

/**
 * Every kind of bad input gets the right 4xx problem+json (with `code`, and `field` where it
 * applies) and changes nothing stored; forged, replayed and cross-browser callbacks fail; proxy
 * paths never leave the allow-listed host.
 */

let server: TestServer;
let client: { id: string; apiKey: string };
let evil: Awaited<ReturnType<typeof startEvilHost>>;
const userId = uniq("bad-input-user-");
let connectionId: string;
let session: { id: string; token: string };

beforeAll(async () => {
  server = await startTestServer();
  evil = await startEvilHost();
  client = await createClient(server.url, server.adminKey, {
    name: "Strict Client",
    redirectOrigins: ["https://app.example.com"],
    allowTokenAccess: true,
  });
  ({ connectionId } = await connect(server.url, client.apiKey, userId, "google", {
    scopes: [GMAIL_READONLY],
  }));
  session = await createSession(server.url, client.apiKey, { userId, connectionIds: [connectionId] });
});

afterAll(async () => {
  await evil?.close();
  await server?.close();
});

afterEach(() => {
  vi.useRealTimers();
});

/** Everything a bad request could have changed, read back through the API. */
async function storedState() {
  const read = async (path: string) => {
    const response = await api(server.url, "GET", path, { token: server.adminKey });
    expect(response.status, `${path}: ${response.text}`).toBe(200);
    return response.json;
  };
  return {
    connections: await read("/v1/connections?limit=200"),
    sessions: await read("/v1/sessions?limit=200"),
    clients: await read("/v1/clients?limit=200"),
    webhooks: await read("/v1/webhooks"),
  };
}

interface BadCase {
  name: string;
  method: string;
  path: string | (() => string);
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  auth?: "client" | "admin" | "session" | "none" | "bogus";
  status: number | number[];
  code: string;
  field?: RegExp;
}

const big = "x".repeat(1024 * 1024 + 10);

const cases: BadCase[] = [
  {
    name: "unknown field",
    method: "POST",
    path: "/v1/connect-requests",
    body: { userId: "u1", providerId: "google", sneaky: true },
    status: 400,
    code: "invalid_request",
    field: /^body/,
  },
  {
    name: "wrong type",
    method: "POST",
    path: "/v1/connect-requests",
    body: { userId: 42, providerId: "google" },
    status: 400,
    code: "invalid_request",
    field: /^body\.userId$/,
  },
  {
    name: "scopes not an array",
    method: "POST",
    path: "/v1/connect-requests",
    body: { userId: "u1", providerId: "google", scopes: "openid email" },
    status: 400,
    code: "invalid_request",
    field: /^body\.scopes/,
  },
  {
    name: "scope with a space",
    method: "POST",
    path: "/v1/connect-requests",
    body: { userId: "u1", providerId: "google", scopes: ["openid email"] },
    status: 400,
    code: "invalid_request",
    field: /^body\.scopes\[0\]$/,
  },
  {
    name: "missing required field",
    method: "POST",
    path: "/v1/connect-requests",
    body: { providerId: "google" },
    status: 400,
    code: "invalid_request",
    field: /^body\.userId$/,
  },
  {
    name: "unknown provider",
    method: "POST",
    path: "/v1/connect-requests",
    body: { userId: "u1", providerId: "nosuchprovider" },
    status: [400, 404],
    code: "*",
  },
  {
    name: "redirectUrl outside the client's origins",
    method: "POST",
    path: "/v1/connect-requests",
    body: { userId: "u1", providerId: "google", redirectUrl: "https://evil.example/cb" },
    status: 400,
    code: "invalid_request",
    field: /^body\.redirectUrl$/,
  },
  {
    name: "redirectUrl on a look-alike origin",
    method: "POST",
    path: "/v1/connect-requests",
    body: { userId: "u1", providerId: "google", redirectUrl: "https://app.example.com.evil.example/cb" },
    status: 400,
    code: "invalid_request",
    field: /^body\.redirectUrl$/,
  },
  {
    name: "redirectUrl with javascript: scheme",
    method: "POST",
    path: "/v1/connect-requests",
    body: { userId: "u1", providerId: "google", redirectUrl: "javascript:alert(1)" },
    status: 400,
    code: "invalid_request",
    field: /^body\.redirectUrl$/,
  },
  {
    name: "body over 1 MiB",
    method: "POST",
    path: "/v1/connect-requests",
    rawBody: JSON.stringify({ userId: "u1", providerId: "google", agentId: big }),
    headers: { "content-type": "application/json" },
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "wrong content type",
    method: "POST",
    path: "/v1/sessions",
    rawBody: "userId=u1",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    status: 415,
    code: "unsupported_media_type",
  },
  {
    name: "text/plain JSON",
    method: "POST",
    path: "/v1/sessions",
    rawBody: JSON.stringify({ userId: "u1" }),
    headers: { "content-type": "text/plain" },
    status: 415,
    code: "unsupported_media_type",
  },
  {
    name: "malformed JSON",
    method: "POST",
    path: "/v1/sessions",
    rawBody: '{"userId": "u1",',
    headers: { "content-type": "application/json" },
    status: 400,
    code: "invalid_request",
  },
  {
    name: "JSON array instead of object",
    method: "POST",
    path: "/v1/sessions",
    rawBody: "[]",
    headers: { "content-type": "application/json" },
    status: 400,
    code: "invalid_request",
  },
  {
    name: "ttlSeconds below 60",
    method: "POST",
    path: "/v1/sessions",
    body: { userId: "u1", ttlSeconds: 59 },
    status: 400,
    code: "invalid_request",
    field: /^body\.ttlSeconds$/,
  },
  {
    name: "ttlSeconds above 86400",
    method: "POST",
    path: "/v1/sessions",
    body: { userId: "u1", ttlSeconds: 86_401 },
    status: 400,
    code: "invalid_request",
    field: /^body\.ttlSeconds$/,
  },
  {
    name: "ttlSeconds as a string",
    method: "POST",
    path: "/v1/sessions",
    body: { userId: "u1", ttlSeconds: "3600" },
    status: 400,
    code: "invalid_request",
    field: /^body\.ttlSeconds$/,
  },
  {
    name: "malformed connection id in a session body",
    method: "POST",
    path: "/v1/sessions",
    body: { userId: "u1", connectionIds: ["con_../../etc"] },
    status: 400,
    code: "invalid_request",
    field: /^body\.connectionIds\[0\]$/,
  },
  {
    name: "extend with ttlSeconds 0",
    method: "POST",
    path: () => `/v1/sessions/${session.id}/extend`,
    body: { ttlSeconds: 0 },
    status: 400,
    code: "invalid_request",
    field: /^body\.ttlSeconds$/,
  },
  {
    name: "forceRefresh not a boolean",
    method: "POST",
    path: () => `/v1/connections/${connectionId}/token`,
    body: { forceRefresh: "yes" },
    status: 400,
    code: "invalid_request",
    field: /^body\.forceRefresh$/,
  },
  {
    name: "malformed connection id",
    method: "GET",
    path: "/v1/connections/not-an-id",
    status: [400, 404],
    code: "*",
  },
  {
    name: "connection id with quote",
    method: "GET",
    path: "/v1/connections/con_abc'%20OR%201=1",
    status: [400, 404],
    code: "*",
  },
  {
    name: "malformed session id",
    method: "DELETE",
    path: "/v1/sessions/ses_x",
    status: [400, 404],
    code: "*",
  },
  {
    name: "unknown but well-formed connection id",
    method: "GET",
    path: "/v1/connections/con_0000000000000000000000",
    status: 404,
    code: "not_found",
  },
  {
    name: "limit 0",
    method: "GET",
    path: "/v1/connections?limit=0",
    status: 400,
    code: "invalid_request",
    field: /^query\.limit$/,
  },
  {
    name: "limit 201",
    method: "GET",
    path: "/v1/sessions?limit=201",
    status: 400,
    code: "invalid_request",
    field: /^query\.limit$/,
  },
  {
    name: "limit abc",
    method: "GET",
    path: "/v1/connections?limit=abc",
    status: 400,
    code: "invalid_request",
    field: /^query\.limit$/,
  },
  {
    name: "status not an enum value",
    method: "GET",
    path: "/v1/connections?status=zombie",
    status: 400,
    code: "invalid_request",
    field: /^query\.status$/,
  },
  {
    name: "unknown route under /v1",
    method: "GET",
    path: "/v1/no-such-thing",
    status: 404,
    code: "not_found",
  },
  {
    name: "unknown nested route under /v1",
    method: "POST",
    path: "/v1/connections/x/y/z",
    body: {},
    status: 404,
    code: "not_found",
  },
  {
    name: "no credentials",
    method: "GET",
    path: "/v1/connections",
    auth: "none",
    status: 401,
    code: "unauthorized",
  },
  {
    name: "unknown API key",
    method: "GET",
    path: "/v1/connections",
    auth: "bogus",
    status: 401,
    code: "unauthorized",
  },
  {
    name: "client on an admin route",
    method: "POST",
    path: "/v1/clients",
    body: { name: "x" },
    status: 403,
    code: "forbidden",
  },
  {
    name: "session on a client route",
    method: "POST",
    path: "/v1/sessions",
    body: { userId: "u1" },
    auth: "session",
    status: 403,
    code: "forbidden",
  },
  {
    name: "webhook with a non-http url",
    method: "POST",
    path: "/v1/webhooks",
    body: { url: "file:///etc/passwd", events: ["connection.created"] },
    auth: "admin",
    status: 400,
    code: "invalid_request",
    field: /^body\.url$/,
  },
  {
    name: "webhook with an unknown event",
    method: "POST",
    path: "/v1/webhooks",
    body: { url: "https://hooks.example/x", events: ["connection.exploded"] },
    auth: "admin",
    status: 400,
    code: "invalid_request",
    field: /^body\.events\[0\]$/,
  },
];

describe("bad input on the API", () => {
  it.each(cases)("$name → $status $code", async (testCase) => {
    const before = await storedState();
    const token =
      testCase.auth === "none"
        ? undefined
        : testCase.auth === "bogus"
          ? "scp_sk_0000000000000000000000000000000000000000000"
          : testCase.auth === "admin"
            ? server.adminKey
            : testCase.auth === "session"
              ? session.token
              : client.apiKey;
    const path = typeof testCase.path === "function" ? testCase.path() : testCase.path;
    const response = await api<{ code: string; field?: string; status: number; detail?: string }>(
      server.url,
      testCase.method,
      path,
      {
        ...(token ? { token } : {}),
        ...(testCase.body !== undefined ? { body: testCase.body } : {}),
        ...(testCase.rawBody !== undefined ? { rawBody: testCase.rawBody } : {}),
        ...(testCase.headers ? { headers: testCase.headers } : {}),
      },
    );
    const statuses = Array.isArray(testCase.status) ? testCase.status : [testCase.status];
    expect(statuses, response.text.slice(0, 400)).toContain(response.status);
    expect(
      isProblem(response),
      `problem+json: ${response.headers.get("content-type")} ${response.text.slice(0, 200)}`,
    ).toBe(true);
    expect(response.json.status).toBe(response.status);
    if (testCase.code !== "*") expect(response.json.code).toBe(testCase.code);
    if (testCase.field) expect(response.json.field, response.text).toMatch(testCase.field);
    if (testCase.name === "unknown field") expect(response.text).toContain("sneaky");
    if (response.status === 401) expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(response.text.length).toBeLessThan(20_000);
    expect(await storedState()).toEqual(before);
  });
});

describe("credentials sent twice", () => {
  /** One request with two Authorization lines (fetch would join them into one). */
  const twoAuthorizationLines = (first: string, second: string) =>
    new Promise<string>((resolve, reject) => {
      const { hostname, port } = new URL(server.url);
      const socket = openSocket(Number(port), hostname, () => {
        socket.end(
          `GET /v1/connections HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${first}\r\n` +
            `Authorization: Bearer ${second}\r\nConnection: close\r\n\r\n`,
        );
      });
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk.toString("utf8");
      });
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });

  it("two Authorization headers are refused (401), whichever comes first", async () => {
    const bogus = "scp_sk_0000000000000000000000000000000000000000000";
    for (const [first, second] of [
      [client.apiKey, bogus],
      [bogus, client.apiKey],
      [client.apiKey, client.apiKey],
    ] as const) {
      const response = await twoAuthorizationLines(first, second);
      expect(response.split("\r\n")[0]).toBe("HTTP/1.1 401 Unauthorized");
      expect(response).toContain("application/problem+json");
    }
    // One line with the same key still works.
    expect((await api(server.url, "GET", "/v1/connections", { token: client.apiKey })).status).toBe(200);
  });
});

describe("bad input in the browser flow", () => {
  it("approve without or with a wrong CSRF token is refused; the right one still works", async () => {
    const started = await openConsent(server.url, client.apiKey, {
      userId: uniq("csrf-"),
      providerId: "google",
    });
    const authorizationsBefore = server.idps.google.stats().authorizations;
    const missing = await api(server.url, "POST", new URL(started.approveAction, server.url).pathname, {
      jar: started.jar,
      rawBody: "",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect([400, 403], missing.text.slice(0, 200)).toContain(missing.status);
    expect(missing.headers.get("location")).toBeNull();
    const wrong = await approve(server.url, started, `${started.csrf.slice(0, -2)}xx`);
    expect([400, 403]).toContain(wrong.status);
    expect(wrong.headers.get("location")).toBeNull();
    // Right token, but from another browser (no binding cookie).
    const otherBrowser = await approve(server.url, started, started.csrf, new CookieJar());
    expect([400, 403]).toContain(otherBrowser.status);
    expect(otherBrowser.headers.get("location")).toBeNull();
    const status = await api<{ status: string }>(
      server.url,
      "GET",
      `/v1/connect-requests/${started.requestId}`,
      {
        token: client.apiKey,
      },
    );
    expect(status.json.status).toBe("pending");
    const right = await approve(server.url, started);
    expect(right.status).toBe(303);
    expect(right.headers.get("location")).toContain(server.idps.google.issuer);
    expect(server.idps.google.stats().authorizations).toBe(authorizationsBefore);
  });

  it("a forged state fails and does not disturb the real flow", async () => {
    const started = await openConsent(server.url, client.apiKey, {
      userId: uniq("forged-"),
      providerId: "google",
    });
    const approved = await approve(server.url, started);
    const callbackUrl = await authorizeAtIdp(approved.headers.get("location") ?? "");
    const forged = new URL(callbackUrl);
    forged.searchParams.set("state", "forged-state-value-000000000000000000");
    const response = await callback(server.url, forged, started.jar);
    expect(response.status, response.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const done = await callback(server.url, callbackUrl, started.jar);
    expect([200, 303]).toContain(done.status);
    const status = await api<{ status: string }>(
      server.url,
      "GET",
      `/v1/connect-requests/${started.requestId}`,
      {
        token: client.apiKey,
      },
    );
    expect(status.json.status).toBe("completed");
  });

  it("a replayed callback (same state and code) fails and creates nothing", async () => {
    const replayUser = uniq("replay-");
    const started = await openConsent(server.url, client.apiKey, {
      userId: replayUser,
      providerId: "google",
    });
    const approved = await approve(server.url, started);
    const callbackUrl = await authorizeAtIdp(approved.headers.get("location") ?? "");
    const first = await callback(server.url, callbackUrl, started.jar);
    expect([200, 303]).toContain(first.status);
    const exchanges = server.idps.google.stats().codeExchanges;
    const second = await callback(server.url, callbackUrl, started.jar);
    expect(second.status, second.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
    expect(second.status).toBeLessThan(500);
    expect(server.idps.google.stats().codeExchanges).toBe(exchanges);
    const list = await api<{ items: unknown[] }>(server.url, "GET", `/v1/connections?userId=${replayUser}`, {
      token: client.apiKey,
    });
    expect(list.json.items).toHaveLength(1);
  });

  it("a callback without a pending request fails", async () => {
    const response = await api(
      server.url,
      "GET",
      "/oauth/callback?code=abc&state=nonexistent-state-0000000000000",
      {
        headers: { accept: "text/html" },
      },
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const noParams = await api(server.url, "GET", "/oauth/callback");
    expect(noParams.status).toBeGreaterThanOrEqual(400);
    expect(noParams.status).toBeLessThan(500);
  });

  it("a callback from another browser (wrong binding cookie) fails and stores no connection", async () => {
    const victim = uniq("victim-");
    const started = await openConsent(server.url, client.apiKey, { userId: victim, providerId: "google" });
    const approved = await approve(server.url, started);
    const callbackUrl = await authorizeAtIdp(approved.headers.get("location") ?? "");
    // The attacker's browser has its own binding cookie from its own consent page.
    const attacker = await openConsent(server.url, client.apiKey, {
      userId: uniq("attacker-"),
      providerId: "google",
    });
    const exchanges = server.idps.google.stats().codeExchanges;
    const response = await callback(server.url, callbackUrl, attacker.jar);
    if (response.status === 303) {
      expect(response.headers.get("location") ?? "").not.toContain("status=completed");
    } else {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
    expect(server.idps.google.stats().codeExchanges).toBe(exchanges);
    const noCookie = await callback(server.url, callbackUrl, new CookieJar());
    expect(noCookie.status).toBeGreaterThanOrEqual(400);
    const list = await api<{ items: unknown[] }>(server.url, "GET", `/v1/connections?userId=${victim}`, {
      token: client.apiKey,
    });
    expect(list.json.items).toHaveLength(0);
    const status = await api<{ status: string }>(
      server.url,
      "GET",
      `/v1/connect-requests/${started.requestId}`,
      {
        token: client.apiKey,
      },
    );
    expect(status.json.status).not.toBe("completed");
  });

  it("deny marks the request failed with access_denied", async () => {
    const started = await openConsent(server.url, client.apiKey, {
      userId: uniq("deny-"),
      providerId: "google",
    });
    const denyPath = `/connect/${started.requestId}/deny`;
    const denied = await api(server.url, "POST", denyPath, {
      jar: started.jar,
      rawBody: new URLSearchParams({ csrf: started.csrf }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(denied.status).toBeLessThan(400);
    const status = await api<{ status: string; error?: string }>(
      server.url,
      "GET",
      `/v1/connect-requests/${started.requestId}`,
      { token: client.apiKey },
    );
    expect(status.json).toMatchObject({ status: "failed", error: "access_denied" });
    const again = await approve(server.url, started);
    expect(again.status).toBeGreaterThanOrEqual(400);
  });

  it("redirects to the client's redirectUrl with the result", async () => {
    const started = await openConsent(server.url, client.apiKey, {
      userId: uniq("redirect-"),
      providerId: "google",
      redirectUrl: "https://app.example.com/done?x=1",
    });
    const approved = await approve(server.url, started);
    const callbackUrl = await authorizeAtIdp(approved.headers.get("location") ?? "");
    const done = await callback(server.url, callbackUrl, started.jar);
    expect(done.status).toBe(303);
    const target = new URL(done.headers.get("location") ?? "");
    expect(target.origin).toBe("https://app.example.com");
    expect(target.searchParams.get("connect_request_id")).toBe(started.requestId);
    expect(target.searchParams.get("status")).toBe("completed");
    expect(target.searchParams.get("connection_id")).toMatch(/^con_/);
    expect(target.searchParams.get("x")).toBe("1");
  });

  it("an expired connect request can no longer be approved", async () => {
    const started = await openConsent(server.url, client.apiKey, {
      userId: uniq("expired-"),
      providerId: "google",
    });
    // The server runs in this process: move its clock 11 minutes ahead (timers stay real).
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 11 * 60 * 1000 });
    const page = await api(server.url, "GET", `/connect/${started.requestId}`);
    expect(page.status).toBeGreaterThanOrEqual(400);
    expect(page.status).toBeLessThan(500);
    const approved = await approve(server.url, started);
    expect(approved.status).toBeGreaterThanOrEqual(400);
    expect(approved.headers.get("location")).toBeNull();
    const status = await api<{ status: string }>(
      server.url,
      "GET",
      `/v1/connect-requests/${started.requestId}`,
      {
        token: client.apiKey,
      },
    );
    expect(status.json.status).toBe("expired");
  });
});

describe("proxy paths never leave the allow-listed host", () => {
  const escapes = (id: string, evilHost: string) => [
    { path: `/v1/proxy/${id}/../../../../x` },
    { path: `/v1/proxy/${id}/gmail/../../${evilHost}/x` },
    { path: `/v1/proxy/${id}/%2e%2e/%2e%2e/x` },
    { path: `/v1/proxy/${id}/gmail/%2E%2E%2f%2E%2E%2f${evilHost}` },
    { path: `/v1/proxy/${id}/%2f%2f${evilHost}/x` },
    { path: `/v1/proxy/${id}/gmail%2fv1` },
    { path: `/v1/proxy/${id}/%5c%5c${evilHost}/x` },
    { path: `/v1/proxy/${id}/\\\\${evilHost}/x` },
    { path: `/v1/proxy/${id}//${evilHost}/x` },
    { path: `/v1/proxy/${id}///${evilHost}/x` },
    { path: `/v1/proxy/${id}/@${evilHost}/x` },
    { path: `/v1/proxy/${id}/http://${evilHost}/x` },
    { path: `/v1/proxy/${id}/http:%2f%2f${evilHost}/x` },
    { path: `/v1/proxy/${id}/https:/${evilHost}/x` },
  ];

  it("rejects every escape attempt and never contacts the other host", async () => {
    const evilHost = `127.0.0.1:${evil.port}`;
    for (const attempt of escapes(connectionId, evilHost)) {
      const response = await rawRequest(server.url, "GET", attempt.path, {
        authorization: `Bearer ${session.token}`,
      });
      expect(
        response.status,
        `${attempt.path} → ${response.status} ${response.body.slice(0, 200)}`,
      ).toBeGreaterThanOrEqual(400);
      expect(response.status, attempt.path).toBeLessThan(500);
      // `..` and `%2e%2e` are resolved by URL parsing before routing (then 404 or 400 on what is left):
      // either way SCP answers with its own problem, never an upstream body.
      expect([400, 404], attempt.path).toContain(response.status);
      expect(String(response.headers["content-type"]), attempt.path).toMatch(/^application\/problem\+json/);
      expect(evil.hits(), `${attempt.path} reached the other host`).toBe(0);
    }
  });

  it("accepts SCP-Proxy-Base only for an allow-listed base", async () => {
    const bad = await rawRequest(server.url, "GET", `/v1/proxy/${connectionId}/gmail/v1/users/me/messages`, {
      authorization: `Bearer ${session.token}`,
      "scp-proxy-base": evil.origin,
    });
    expect([400, 403], bad.body).toContain(bad.status);
    expect(String(bad.headers["content-type"])).toMatch(/^application\/problem\+json/);
    const prefix = await rawRequest(
      server.url,
      "GET",
      `/v1/proxy/${connectionId}/gmail/v1/users/me/messages`,
      {
        authorization: `Bearer ${session.token}`,
        "scp-proxy-base": `${server.idps.google.apiBaseUrl}.${evil.port}`,
      },
    );
    expect([400, 403]).toContain(prefix.status);
    const good = await rawRequest(server.url, "GET", `/v1/proxy/${connectionId}/gmail/v1/users/me/messages`, {
      authorization: `Bearer ${session.token}`,
      "scp-proxy-base": server.idps.google.apiBaseUrl,
    });
    expect(good.status, good.body.slice(0, 200)).toBe(200);
    expect(evil.hits()).toBe(0);
  });

  it("does not forward the caller's Authorization or Cookie upstream", async () => {
    // The fake Gmail API would reject the session token; a 200 shows the server's own bearer was used.
    const response = await rawRequest(
      server.url,
      "GET",
      `/v1/proxy/${connectionId}/gmail/v1/users/me/messages`,
      {
        authorization: `Bearer ${session.token}`,
        cookie: "sid=secret",
      },
    );
    expect(response.status).toBe(200);
  });
});
