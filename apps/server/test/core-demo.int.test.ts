import { Writable } from "node:stream";
import { completeAuthorization } from "@securecontext/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/index";

/** End to end in demo mode: the in-process test IdPs stand in for Google and Microsoft. */
describe("core: demo-mode happy path", () => {
  let server: RunningServer;
  let logs = "";
  const logDestination = new Writable({
    write(chunk, _encoding, callback) {
      logs += chunk.toString();
      callback();
    },
  });
  const api = (path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set("authorization", `Bearer ${init.token}`);
    if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
    return fetch(`${server.url}${path}`, { ...init, headers, redirect: "manual" });
  };

  beforeAll(async () => {
    server = await startServer({
      env: { SCP_STORE: "memory:", SCP_LOG_LEVEL: "debug" },
      port: 0,
      logDestination,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("connects, opens a session, calls an action, streams, proxies and issues a token", async () => {
    expect(server.demo).toBe(true);
    const discovery = await (await api("/.well-known/securecontext")).json();
    expect(discovery.providers.map((provider: { id: string }) => provider.id).sort()).toEqual([
      "google",
      "microsoft",
    ]);
    expect(discovery.actions).toContain("google.gmail.search");

    // Admin creates a client.
    const clientResponse = await api("/v1/clients", {
      method: "POST",
      token: server.adminKey,
      body: JSON.stringify({ name: "Inbox Agent", redirectOrigins: ["http://app.example"] }),
    });
    expect(clientResponse.status).toBe(201);
    const client = await clientResponse.json();
    expect(client.apiKey).toMatch(/^scp_sk_/);

    // Redirect outside the client's origins is refused.
    const badRedirect = await api("/v1/connect-requests", {
      method: "POST",
      token: client.apiKey,
      body: JSON.stringify({ userId: "u1", providerId: "google", redirectUrl: "http://evil.example/x" }),
    });
    expect(badRedirect.status).toBe(400);
    expect((await badRedirect.json()).field).toBe("body.redirectUrl");

    const actions = await (await api("/v1/actions", { token: client.apiKey })).json();
    const search = actions.items.find((action: { id: string }) => action.id === "google.gmail.search");
    expect(search.inputSchema.type).toBe("object");

    const created = await api("/v1/connect-requests", {
      method: "POST",
      token: client.apiKey,
      body: JSON.stringify({
        userId: "u1",
        providerId: "google",
        scopes: search.requiredScopes,
        redirectUrl: "http://app.example/done",
        agentId: "inbox-agent",
      }),
    });
    expect(created.status).toBe(201);
    const connectRequest = await created.json();
    expect(connectRequest.url).toBe(`${server.url}/connect/${connectRequest.id}`);

    // Consent page: security headers, the client and agent, the CSRF form.
    const page = await fetch(connectRequest.url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await page.text();
    expect(html).toContain("Inbox Agent");
    expect(html).toContain("inbox-agent");
    expect(html).toContain('id="scp-approve"');
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] as string;
    expect(cookie).toMatch(/^scp_binding=/);

    // Approve without the cookie: refused.
    const noCookie = await fetch(`${connectRequest.url}/approve`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf }).toString(),
      redirect: "manual",
    });
    expect(noCookie.status).toBe(403);

    const approve = await fetch(`${connectRequest.url}/approve`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: new URLSearchParams({ csrf }).toString(),
      redirect: "manual",
    });
    expect(approve.status).toBe(303);
    const authorizationUrl = new URL(approve.headers.get("location") as string);
    expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");

    const callbackUrl = await completeAuthorization(authorizationUrl, { user: "alice@example.test" });
    expect(callbackUrl.toString().startsWith(`${server.url}/oauth/callback`)).toBe(true);
    const callback = await fetch(callbackUrl, { headers: { cookie }, redirect: "manual" });
    expect(callback.status).toBe(303);
    const done = new URL(callback.headers.get("location") as string);
    expect(done.origin + done.pathname).toBe("http://app.example/done");
    expect(done.searchParams.get("status")).toBe("completed");
    const connectionId = done.searchParams.get("connection_id") as string;
    expect(connectionId).toMatch(/^con_/);

    // The state is single use: replaying the callback fails.
    const replay = await fetch(callbackUrl, { headers: { cookie }, redirect: "manual" });
    expect(replay.status).toBeGreaterThanOrEqual(400);

    const status = await (
      await api(`/v1/connect-requests/${connectRequest.id}`, { token: client.apiKey })
    ).json();
    expect(status).toMatchObject({ status: "completed", connectionId });

    const connection = await (await api(`/v1/connections/${connectionId}`, { token: client.apiKey })).json();
    expect(connection.account.email).toBe("alice@example.test");
    expect(connection.clientId).toBe(client.id);

    // Session for the agent.
    const sessionResponse = await api("/v1/sessions", {
      method: "POST",
      token: client.apiKey,
      body: JSON.stringify({
        userId: "u1",
        agentId: "inbox-agent",
        connectionIds: [connectionId],
        ttlSeconds: 600,
      }),
    });
    expect(sessionResponse.status).toBe(201);
    const session = await sessionResponse.json();
    expect(session.token).toMatch(/^scp_st_/);
    const introspection = await (await api("/v1/session", { token: session.token })).json();
    expect(introspection.id).toBe(session.id);

    const result = await api("/v1/actions/google.gmail.search", {
      method: "POST",
      token: session.token,
      body: JSON.stringify({ input: { maxResults: 3 } }),
    });
    expect(result.status).toBe(200);
    const output = (await result.json()).output;
    expect(output.messages.length).toBeGreaterThan(0);

    const stream = await api("/v1/actions/google.gmail.search/stream", {
      method: "POST",
      token: session.token,
      body: JSON.stringify({ input: { maxResults: 50 } }),
    });
    expect(stream.headers.get("content-type")).toContain("application/x-ndjson");
    const lines = (await stream.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const last = lines.at(-1);
    expect(last).toEqual({ done: true, count: lines.length - 1 });
    expect(last.count).toBeGreaterThan(50);

    // No Microsoft connection: auth_required with a connect URL for exactly the action's scopes.
    const missing = await api("/v1/actions/microsoft.mail.search", {
      method: "POST",
      token: session.token,
      body: JSON.stringify({ input: {} }),
    });
    expect(missing.status).toBe(403);
    const problem = await missing.json();
    expect(problem.code).toBe("auth_required");
    expect(problem.connectUrl).toMatch(new RegExp(`^${server.url}/connect/cr_`));

    const proxied = await api(`/v1/proxy/${connectionId}/gmail/v1/users/me/messages?maxResults=2`, {
      token: session.token,
      headers: { cookie: "should=not-forward" },
    });
    expect(proxied.status).toBe(200);
    expect((await proxied.json()).messages.length).toBe(2);

    const traversal = await api(`/v1/proxy/${connectionId}/gmail/%2e%2e/%2e%2e/admin`, {
      token: session.token,
    });
    expect(traversal.status).toBe(400);

    // Token access: the session was not created with allowTokenAccess; the admin may.
    const denied = await api(`/v1/connections/${connectionId}/token`, {
      method: "POST",
      token: session.token,
    });
    expect(denied.status).toBe(403);
    const token = await api(`/v1/connections/${connectionId}/token`, {
      method: "POST",
      token: server.adminKey,
    });
    expect(token.status).toBe(200);
    const tokenBody = await token.json();
    expect(tokenBody.accessToken).toBeTruthy();
    expect(tokenBody.tokenType.toLowerCase()).toBe("bearer");

    // Revoking the session makes its token fail at once.
    expect((await api(`/v1/sessions/${session.id}`, { method: "DELETE", token: session.token })).status).toBe(
      204,
    );
    expect((await api("/v1/session", { token: session.token })).status).toBe(401);

    const audit = await (await api("/v1/audit-events?limit=200", { token: server.adminKey })).json();
    const types = new Set(audit.items.map((event: { type: string }) => event.type));
    for (const type of [
      "client.created",
      "connect_request.created",
      "connect_request.completed",
      "session.created",
      "action.called",
      "proxy.called",
      "token.issued",
      "session.revoked",
    ]) {
      expect(types).toContain(type);
    }
    const verify = await (await api("/v1/audit-events/verify", { token: server.adminKey })).json();
    expect(verify.valid).toBe(true);

    // One JSON log line per request, and no secret anywhere in the logs.
    expect(logs).toContain('"route":"/v1/actions/:actionId"');
    const code = callbackUrl.searchParams.get("code") as string;
    const state = callbackUrl.searchParams.get("state") as string;
    for (const secret of [
      tokenBody.accessToken,
      server.adminKey,
      client.apiKey,
      session.token,
      code,
      state,
      csrf,
    ]) {
      expect(logs).not.toContain(secret);
    }
  });
});
