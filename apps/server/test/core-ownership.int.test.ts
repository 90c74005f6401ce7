import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeAction, minimalInput } from "./helpers/actions";
import { uniq } from "./helpers/env";
import { connect, createClient, createSession, GMAIL_READONLY } from "./helpers/flows";
import { api } from "./helpers/http";
import { startTestServer, type TestServer } from "./helpers/server";

/**
 * Core: events and records are attributed to the client that owns them, whoever acted (the person in
 * the browser, the admin, a session the admin created), so `GET /v1/audit-events` shows a client
 * its own business and nothing of another client's.
 */

interface AuditItem {
  type: string;
  outcome: string;
  clientId?: string;
  connectionId?: string;
  sessionId?: string;
  userId?: string;
}

let server: TestServer;
let clientA: { id: string; apiKey: string };
let clientB: { id: string; apiKey: string };

beforeAll(async () => {
  server = await startTestServer();
  clientA = await createClient(server.url, server.adminKey, { name: "Owner A", allowTokenAccess: true });
  clientB = await createClient(server.url, server.adminKey, { name: "Other B", allowTokenAccess: true });
});

afterAll(async () => {
  await server?.close();
});

async function auditOf(token: string, query = ""): Promise<AuditItem[]> {
  const items: AuditItem[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; text: string; json: { items: AuditItem[]; nextCursor: string | null } } =
      await api(server.url, "GET", `/v1/audit-events?limit=200${query}${cursor ? `&cursor=${cursor}` : ""}`, {
        token,
      });
    expect(page.status, page.text).toBe(200);
    items.push(...page.json.items);
    cursor = page.json.nextCursor;
  } while (cursor);
  return items;
}

describe("core: audit events carry the owning client", () => {
  it("shows client A every event about its connections, including those the person or the admin caused", async () => {
    const userId = uniq("audit-owner-");
    const { connectionId, requestId } = await connect(server.url, clientA.apiKey, userId, "google", {
      scopes: [GMAIL_READONLY],
    });
    // A's own session: an action call.
    const own = await createSession(server.url, clientA.apiKey, { userId, connectionIds: [connectionId] });
    const action = await describeAction(server.url, own.token, "google.gmail.search");
    const called = await api(server.url, "POST", "/v1/actions/google.gmail.search", {
      token: own.token,
      body: { input: minimalInput(action.inputSchema as never) },
    });
    expect(called.status, called.text).toBe(200);
    // A's raw token access.
    const token = await api(server.url, "POST", `/v1/connections/${connectionId}/token`, {
      token: clientA.apiKey,
      body: {},
    });
    expect(token.status, token.text).toBe(200);
    // The admin works on A's connection: a session of its own, a proxy call, and finally revocation.
    const adminSession = await createSession(server.url, server.adminKey, {
      userId,
      connectionIds: [connectionId],
    });
    const viaAdminSession = await api(server.url, "POST", "/v1/actions/google.gmail.search", {
      token: adminSession.token,
      body: { input: minimalInput(action.inputSchema as never) },
    });
    expect(viaAdminSession.status, viaAdminSession.text).toBe(200);
    const proxied = await api(server.url, "GET", `/v1/proxy/${connectionId}/gmail/v1/users/me/messages`, {
      token: server.adminKey,
    });
    expect(proxied.status, proxied.text).toBe(200);
    const revoked = await api(server.url, "DELETE", `/v1/connections/${connectionId}`, {
      token: server.adminKey,
    });
    expect(revoked.status, revoked.text).toBe(204);

    const seen = await auditOf(clientA.apiKey, `&userId=${encodeURIComponent(userId)}`);
    for (const event of seen) expect(event.clientId, event.type).toBe(clientA.id);
    const about = (type: string) =>
      seen.filter((event) => event.type === type && event.connectionId === connectionId);
    for (const type of [
      "connect_request.completed",
      "connection.created",
      "token.issued",
      "action.called",
      "proxy.called",
      "connection.revoked",
    ]) {
      expect(about(type).length, `${type} visible to A`).toBeGreaterThan(0);
    }
    // Both action calls (A's session and the admin's session) are A's business.
    expect(about("action.called").map((event) => event.sessionId)).toEqual(
      expect.arrayContaining([own.id, adminSession.id]),
    );
    expect(seen.some((event) => event.type === "connect_request.approved")).toBe(true);
    expect(seen.some((event) => event.type === "connect_request.created")).toBe(true);
    expect(requestId).toMatch(/^cr_/);

    // B sees none of it, whatever it filters on.
    for (const query of ["", `&connectionId=${connectionId}`, `&userId=${encodeURIComponent(userId)}`]) {
      const other = await auditOf(clientB.apiKey, query);
      expect(
        other.filter(
          (event) =>
            event.clientId !== clientB.id ||
            event.connectionId === connectionId ||
            event.sessionId === own.id ||
            event.sessionId === adminSession.id,
        ),
        query,
      ).toEqual([]);
    }
  });

  it("attributes a denied consent to the client that asked", async () => {
    const userId = uniq("audit-deny-");
    const created = await api<{ id: string; url: string }>(server.url, "POST", "/v1/connect-requests", {
      token: clientA.apiKey,
      body: { userId, providerId: "google" },
    });
    expect(created.status, created.text).toBe(201);
    const { CookieJar, parseCsrf } = await import("./helpers/http");
    const jar = new CookieJar();
    const page = await api(server.url, "GET", `/connect/${created.json.id}`, {
      jar,
      headers: { accept: "text/html" },
    });
    const denied = await api(server.url, "POST", `/connect/${created.json.id}/deny`, {
      jar,
      rawBody: new URLSearchParams({ csrf: parseCsrf(page.text) ?? "" }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
    });
    expect(denied.status).toBeLessThan(400);
    const seen = await auditOf(clientA.apiKey, `&userId=${encodeURIComponent(userId)}`);
    expect(seen.some((event) => event.type === "connect_request.failed" && event.outcome === "denied")).toBe(
      true,
    );
    expect(await auditOf(clientB.apiKey, `&userId=${encodeURIComponent(userId)}`)).toEqual([]);
  });
});

describe("core: sessions over the user's connections", () => {
  it("a session with neither connectionIds nor providerIds holds the client's active connections and runs actions", async () => {
    const userId = uniq("all-conns-");
    const { connectionId } = await connect(server.url, clientA.apiKey, userId, "google", {
      scopes: [GMAIL_READONLY],
    });
    // Another client's connection for the same user id is not picked up.
    const { connectionId: foreign } = await connect(server.url, clientB.apiKey, userId, "google", {
      scopes: [GMAIL_READONLY],
    });
    const session = await createSession(server.url, clientA.apiKey, { userId, scopes: [GMAIL_READONLY] });
    expect(session.connectionIds).toEqual([connectionId]);
    expect(session.connectionIds).not.toContain(foreign);
    expect(session.scopes).toEqual([GMAIL_READONLY]);
    const action = await describeAction(server.url, session.token, "google.gmail.search");
    const called = await api(server.url, "POST", "/v1/actions/google.gmail.search", {
      token: session.token,
      body: { input: minimalInput(action.inputSchema as never) },
    });
    expect(called.status, called.text).toBe(200);
  });

  it("providerIds naming an unconnected provider answers auth_required with a connectUrl owned by the caller", async () => {
    const userId = uniq("needs-ms-");
    await connect(server.url, clientA.apiKey, userId, "google", { scopes: [GMAIL_READONLY] });
    const response = await api<{ code: string; connectUrl?: string; providerId?: string }>(
      server.url,
      "POST",
      "/v1/sessions",
      {
        token: clientA.apiKey,
        body: { userId, providerIds: ["google", "microsoft"], scopes: [GMAIL_READONLY, "Mail.Read"] },
      },
    );
    expect(response.status, response.text).toBe(403);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(response.json.code).toBe("auth_required");
    expect(response.json.providerId).toBe("microsoft");
    const connectUrl = response.json.connectUrl ?? "";
    expect(connectUrl.startsWith(`${server.url}/connect/cr_`), connectUrl).toBe(true);
    const requestId = new URL(connectUrl).pathname.split("/").pop() ?? "";
    const request = await api<{ status: string; providerId: string; userId: string; scopes: string[] }>(
      server.url,
      "GET",
      `/v1/connect-requests/${requestId}`,
      { token: clientA.apiKey },
    );
    expect(request.status, request.text).toBe(200);
    expect(request.json).toMatchObject({ status: "pending", providerId: "microsoft", userId });
    expect(request.json.scopes).toEqual(["Mail.Read"]);
    // Owned by A: B cannot read it.
    expect(
      (await api(server.url, "GET", `/v1/connect-requests/${requestId}`, { token: clientB.apiKey })).status,
    ).toBe(404);
  });
});
