import {
  AuthRequiredError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from "@securecontext/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConnectRequestError,
  createClient,
  type ScpClient,
  verifyWebhook,
  WebhookVerificationError,
} from "../src/index";
import { consentInBrowser } from "./helpers/consent";
import { startReceiver } from "./helpers/receiver";
import { type DemoServer, startDemoServer } from "./helpers/server";

// Everything below runs against the real reference server in demo mode and its local IdPs.
let server: DemoServer;
let admin: ScpClient;
let app: ScpClient;
let connectionId: string;
const userId = `user-${Date.now()}`;
const GMAIL_READ = "https://www.googleapis.com/auth/gmail.readonly";

beforeAll(async () => {
  server = await startDemoServer();
  admin = createClient({ baseUrl: server.url, apiKey: server.adminKey });
  const created = await admin.clients.create({
    name: "SDK test app",
    redirectOrigins: ["https://app.example.test"],
  });
  app = createClient({ baseUrl: server.url, apiKey: created.apiKey });
});

afterAll(async () => {
  await server?.close();
});

describe("discovery and admin", () => {
  it("reads discovery and health", async () => {
    const discovery = await createClient({ baseUrl: server.url }).discovery();
    expect(discovery.providers.map((provider) => provider.id).sort()).toEqual(["google", "microsoft"]);
    expect(discovery.actions).toContain("google.gmail.search");
    await expect(admin.health()).resolves.toBeTypeOf("object");
    await expect(admin.health({ ready: true })).resolves.toBeTypeOf("object");
  });

  it("lists clients across pages", async () => {
    for (let index = 0; index < 3; index++) await admin.clients.create({ name: `extra ${index}` });
    const page = await admin.clients.list({ limit: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).not.toBeNull();
    const all: string[] = [];
    for await (const client of admin.clients.listAll({ limit: 2 })) all.push(client.name);
    expect(all).toEqual(expect.arrayContaining(["SDK test app", "extra 0", "extra 1", "extra 2"]));
    expect(new Set(all).size).toBe(all.length);
  });
});

describe("connect flow", () => {
  it("connects a Google account through the consent page and waits for the connection", async () => {
    const request = await app.connectRequests.create({ userId, providerId: "google", agentId: "sdk-test" });
    expect(request).toMatchObject({ status: "pending", url: `${server.url}/connect/${request.id}` });
    const waiting = app.waitForConnection(request.id, { intervalMs: 100, timeoutMs: 30_000 });
    await consentInBrowser(request.url, { user: "alice@example.test" });
    const connection = await waiting;
    expect(connection).toMatchObject({ userId, providerId: "google", status: "active" });
    expect(connection.account.email).toBe("alice@example.test");
    expect(connection.scopes).toContain(GMAIL_READ);
    connectionId = connection.id;
    await expect(app.connectRequests.get(request.id)).resolves.toMatchObject({
      status: "completed",
      connectionId,
    });
  });

  it("reports a denied consent as ConnectRequestError(failed, access_denied)", async () => {
    const request = await app.connectRequests.create({ userId, providerId: "microsoft" });
    await consentInBrowser(request.url, { approve: false });
    const error = await app.waitForConnection(request.id, { intervalMs: 100 }).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectRequestError);
    expect(error).toMatchObject({ outcome: "failed", error: "access_denied", connectRequestId: request.id });
  });

  it("times out waiting for a request nobody completes", async () => {
    const request = await app.connectRequests.create({ userId, providerId: "google" });
    const error = await app.waitForConnection(request.id, { intervalMs: 50, timeoutMs: 200 }).catch((e) => e);
    expect(error).toMatchObject({ name: "ConnectRequestError", outcome: "timeout" });
  });

  it("aborts waiting when the signal fires", async () => {
    const request = await app.connectRequests.create({ userId, providerId: "google" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("user closed the dialog")), 100);
    await expect(
      app.waitForConnection(request.id, { signal: controller.signal, intervalMs: 50 }),
    ).rejects.toThrow("user closed the dialog");
  });
});

describe("sessions and actions", () => {
  let agent: ScpClient;
  let sessionId: string;

  beforeAll(async () => {
    const session = await app.sessions.create({ userId, agentId: "sdk-test", connectionIds: [connectionId] });
    expect(session.token).toMatch(/^scp_st_/);
    sessionId = session.id;
    agent = createClient({ baseUrl: server.url, sessionToken: session.token });
  });

  it("introspects the session and sees only its connections", async () => {
    await expect(agent.sessions.current()).resolves.toMatchObject({
      id: sessionId,
      userId,
      connectionIds: [connectionId],
    });
    const connections = await agent.connections.list();
    expect(connections.items.map((connection) => connection.id)).toEqual([connectionId]);
    await expect(app.sessions.get(sessionId)).resolves.toMatchObject({ id: sessionId });
    const mine = await app.sessions.list({ userId });
    expect(mine.items.map((session) => session.id)).toContain(sessionId);
  });

  it("calls an action and streams every item", async () => {
    const actions = await agent.actions.list();
    expect(actions.map((action) => action.id)).toEqual(
      expect.arrayContaining(["google.gmail.search", "microsoft.mail.search"]),
    );
    const { output } = await agent.actions.call<{ messages: { id: string; subject: string }[] }>(
      "google.gmail.search",
      {
        input: { query: "", maxResults: 5 },
      },
    );
    expect(output.messages).toHaveLength(5);
    expect(output.messages[0]?.subject).toBeTypeOf("string");

    const streamed: unknown[] = [];
    for await (const item of agent.actions.stream("google.gmail.search", {
      input: { query: "", maxResults: 50 },
    })) {
      streamed.push(item);
    }
    expect(streamed.length).toBeGreaterThan(50);
    expect(new Set(streamed.map((item) => (item as { id: string }).id)).size).toBe(streamed.length);
  });

  it("stops a stream early without error", async () => {
    const controller = new AbortController();
    let seen = 0;
    for await (const _item of agent.actions.stream(
      "google.gmail.search",
      { input: { maxResults: 10 } },
      { signal: controller.signal },
    )) {
      if (++seen === 3) break;
    }
    expect(seen).toBe(3);
  });

  it("proxies provider API calls and returns the raw response", async () => {
    const response = await agent.proxy(connectionId).fetch("/gmail/v1/users/me/messages?maxResults=2");
    expect(response.status).toBe(200);
    const body = (await response.json()) as { messages: unknown[] };
    expect(body.messages).toHaveLength(2);
    const missing = await agent.proxy(connectionId).fetch("/gmail/v1/users/me/messages/does-not-exist");
    expect(missing.status).toBe(404);
  });

  it("maps auth_required to AuthRequiredError with a connect URL", async () => {
    const error = await agent.actions.call("microsoft.mail.search", { input: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(AuthRequiredError);
    expect(error.code).toBe("auth_required");
    expect(error.connectUrl).toMatch(new RegExp(`^${server.url}/connect/cr_`));
  });

  it("maps 400, 401 and 404 to their error classes", async () => {
    await expect(
      agent.actions.call("google.gmail.search", { input: { maxResults: 1000 } }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(app.sessions.get("ses_0000000000000000000000")).rejects.toBeInstanceOf(NotFoundError);
    await expect(app.connections.get("con_0000000000000000000000")).rejects.toBeInstanceOf(NotFoundError);
    const stranger = createClient({
      baseUrl: server.url,
      apiKey: "scp_sk_not_a_real_key_000000000000000000000",
    });
    await expect(stranger.connections.list()).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(createClient({ baseUrl: server.url }).sessions.list()).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
  });

  it("hides one client's records from another (404, not 403)", async () => {
    const other = await admin.clients.create({ name: "Other app" });
    const otherApp = createClient({ baseUrl: server.url, apiKey: other.apiKey });
    await expect(otherApp.connections.get(connectionId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(otherApp.sessions.get(sessionId)).rejects.toBeInstanceOf(NotFoundError);
    expect((await otherApp.connections.list({ userId })).items).toEqual([]);
  });

  it("enforces token access rules", async () => {
    await expect(agent.connections.token(connectionId)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(app.connections.token(connectionId)).rejects.toBeInstanceOf(ForbiddenError);
    const token = await admin.connections.token(connectionId);
    expect(token.accessToken.length).toBeGreaterThan(10);
    expect(token.scopes).toContain(GMAIL_READ);

    const trusted = await admin.clients.create({ name: "Trusted app", allowTokenAccess: true });
    const trustedApp = createClient({ baseUrl: server.url, apiKey: trusted.apiKey });
    const request = await trustedApp.connectRequests.create({ userId: "trusted-user", providerId: "google" });
    await consentInBrowser(request.url, { user: "bob@example.test" });
    const connection = await trustedApp.waitForConnection(request.id, { intervalMs: 100 });
    await expect(trustedApp.connections.token(connection.id)).resolves.toMatchObject({
      tokenType: expect.any(String),
    });
    const withAccess = await trustedApp.sessions.create({
      userId: "trusted-user",
      connectionIds: [connection.id],
      allowTokenAccess: true,
    });
    const withoutAccess = await trustedApp.sessions.create({
      userId: "trusted-user",
      connectionIds: [connection.id],
    });
    await expect(
      createClient({ baseUrl: server.url, sessionToken: withAccess.token }).connections.token(connection.id, {
        forceRefresh: true,
      }),
    ).resolves.toMatchObject({ scopes: expect.arrayContaining([GMAIL_READ]) });
    await expect(
      createClient({ baseUrl: server.url, sessionToken: withoutAccess.token }).connections.token(
        connection.id,
      ),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("extends and revokes a session; the token stops working at once", async () => {
    const session = await app.sessions.create({ userId, connectionIds: [connectionId], ttlSeconds: 60 });
    const extended = await app.sessions.extend(session.id, { ttlSeconds: 3600 });
    expect(Date.parse(extended.expiresAt)).toBeGreaterThan(Date.parse(session.expiresAt));
    const scoped = createClient({ baseUrl: server.url, sessionToken: session.token });
    await expect(scoped.sessions.current()).resolves.toMatchObject({ id: session.id });
    await scoped.sessions.revoke(session.id);
    await expect(scoped.sessions.current()).rejects.toBeInstanceOf(UnauthorizedError);
  });
});

describe("audit, webhooks, connection deletion", () => {
  it("lists and verifies audit events", async () => {
    const page = await admin.auditEvents.list({ limit: 5 });
    expect(page.items.length).toBeGreaterThan(0);
    const mine = await app.auditEvents.list({ userId });
    expect(mine.items.every((event) => event.userId === userId)).toBe(true);
    await expect(admin.auditEvents.verify()).resolves.toMatchObject({ valid: true });
  });

  it("creates, lists and deletes webhooks", async () => {
    const created = await admin.webhooks.create({
      url: "https://hooks.example.test/scp",
      events: ["connection.created"],
    });
    expect(created.secret.length).toBeGreaterThan(20);
    const list = await admin.webhooks.list();
    expect(list.items.map((hook) => hook.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain(created.secret);
    await admin.webhooks.delete(created.id);
    expect((await admin.webhooks.list()).items.map((hook) => hook.id)).not.toContain(created.id);
  });

  it("delivers signed webhooks that verifyWebhook accepts, and rejects tampered ones", async () => {
    const receiver = await startReceiver();
    try {
      const hook = await admin.webhooks.create({ url: receiver.url, events: ["connection.created"] });
      const request = await app.connectRequests.create({ userId: "webhook-user", providerId: "google" });
      await consentInBrowser(request.url, { user: "carol@example.test" });
      const connection = await app.waitForConnection(request.id, { intervalMs: 100 });
      const delivery = await receiver.next(15_000);
      const event = await verifyWebhook(delivery.body, delivery.signature, hook.secret);
      expect(event).toMatchObject({ type: "connection.created" });
      expect(JSON.stringify(event.data)).toContain(connection.id);
      await expect(
        verifyWebhook(delivery.body.replace(connection.id, "con_x"), delivery.signature, hook.secret),
      ).rejects.toBeInstanceOf(WebhookVerificationError);
      await expect(verifyWebhook(delivery.body, delivery.signature, "wrong-secret")).rejects.toBeInstanceOf(
        WebhookVerificationError,
      );
    } finally {
      await receiver.close();
    }
  });

  it("maps the not-yet-available workflow and marketplace routes to NotFoundError", async () => {
    await expect(admin.workflowRuns.get("run_0000000000000000000000")).rejects.toBeInstanceOf(NotFoundError);
    await expect(admin.agents.get("inbox-helper")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("deletes a connection", async () => {
    await app.connections.delete(connectionId);
    await expect(app.connections.get(connectionId)).resolves.toMatchObject({ status: "revoked" });
  });
});
