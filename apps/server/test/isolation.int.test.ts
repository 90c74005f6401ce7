import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeAction, minimalInput } from "./helpers/actions";
import { sleep, uniq } from "./helpers/env";
import {
  connect,
  createClient,
  createSession,
  GMAIL_READONLY,
  GRAPH_MAIL_READ,
  openConsent,
} from "./helpers/flows";
import { api, isProblem } from "./helpers/http";
import { startTestServer, type TestServer } from "./helpers/server";

/**
 * Client A's records are invisible to client B (404, never 403) and stay unchanged after B's
 * attempts; a session reaches only the connections it holds; revoked and expired sessions and
 * deleted clients' keys fail at once.
 */

let server: TestServer;
let clientA: { id: string; apiKey: string };
let clientB: { id: string; apiKey: string };
const userId = uniq("shared-user-");
let googleA: string;
let microsoftA: string;
let sessionA: { id: string; token: string };
let shortSession: { id: string; token: string; expiresAt: string };
let requestA: string;

beforeAll(async () => {
  server = await startTestServer();
  clientA = await createClient(server.url, server.adminKey, { name: "Client A", allowTokenAccess: true });
  clientB = await createClient(server.url, server.adminKey, { name: "Client B", allowTokenAccess: true });
  // The same end-user id at both clients: ownership is by client, not by user id.
  ({ connectionId: googleA } = await connect(server.url, clientA.apiKey, userId, "google", {
    scopes: [GMAIL_READONLY],
  }));
  ({ connectionId: microsoftA } = await connect(server.url, clientA.apiKey, userId, "microsoft", {
    scopes: [GRAPH_MAIL_READ],
  }));
  sessionA = await createSession(server.url, clientA.apiKey, {
    userId,
    connectionIds: [googleA],
    allowTokenAccess: true,
  });
  // Shortest TTL allowed; checked at the end of this file once it has expired.
  shortSession = await createSession(server.url, clientA.apiKey, {
    userId,
    connectionIds: [googleA],
    ttlSeconds: 60,
  });
  requestA = (await openConsent(server.url, clientA.apiKey, { userId, providerId: "google" })).requestId;
});

afterAll(async () => {
  await server?.close();
});

async function snapshotA() {
  const connection = await api(server.url, "GET", `/v1/connections/${googleA}`, { token: clientA.apiKey });
  const session = await api(server.url, "GET", `/v1/sessions/${sessionA.id}`, { token: clientA.apiKey });
  const request = await api(server.url, "GET", `/v1/connect-requests/${requestA}`, { token: clientA.apiKey });
  expect(connection.status).toBe(200);
  expect(session.status).toBe(200);
  expect(request.status).toBe(200);
  return { connection: connection.json, session: session.json, request: request.json };
}

function expectNotFound(
  response: { status: number; headers: Headers; json: unknown; text: string },
  what: string,
) {
  expect(response.status, `${what}: ${response.text}`).toBe(404);
  expect(isProblem(response), what).toBe(true);
  expect((response.json as { code: string }).code).toBe("not_found");
}

describe("client B cannot touch client A's records", () => {
  it("gets the same 404 for A's connection, A's revoked connection and an id that never existed", async () => {
    // The token endpoint checks access inside the pool's single read of the connection: that
    // check must come before the status is looked at, or a revoked connection (409) would leak.
    const { connectionId: revokedA } = await connect(server.url, clientA.apiKey, uniq("gone-"), "google", {
      scopes: [GMAIL_READONLY],
    });
    expect(
      (await api(server.url, "DELETE", `/v1/connections/${revokedA}`, { token: clientA.apiKey })).status,
    ).toBe(204);
    const missing = `con_${"Z".repeat(22)}`;
    const detailOf = async (id: string) => {
      const response = await api(server.url, "POST", `/v1/connections/${id}/token`, {
        token: clientB.apiKey,
        body: {},
      });
      expectNotFound(response, `token of ${id}`);
      return (response.json as { detail: string }).detail.replace(id, "<id>");
    };
    const details = new Set([await detailOf(googleA), await detailOf(revokedA), await detailOf(missing)]);
    expect([...details]).toEqual(["Connection <id> not found"]);
    // A itself sees its revoked connection as revoked (409), and its live one works.
    const own = await api(server.url, "POST", `/v1/connections/${revokedA}/token`, {
      token: clientA.apiKey,
      body: {},
    });
    expect(own.status).toBe(409);
    expect(
      (await api(server.url, "POST", `/v1/connections/${googleA}/token`, { token: clientA.apiKey, body: {} }))
        .status,
    ).toBe(200);
  });

  it("cannot read, list, use or delete A's connections", async () => {
    const before = await snapshotA();
    const b = clientB.apiKey;
    expectNotFound(
      await api(server.url, "GET", `/v1/connections/${googleA}`, { token: b }),
      "GET connection",
    );
    expectNotFound(
      await api(server.url, "POST", `/v1/connections/${googleA}/token`, { token: b, body: {} }),
      "token of A's connection",
    );
    expectNotFound(
      await api(server.url, "POST", `/v1/connections/${googleA}/token`, {
        token: b,
        body: { forceRefresh: true },
      }),
      "forced refresh of A's connection",
    );
    expectNotFound(
      await api(server.url, "DELETE", `/v1/connections/${googleA}`, { token: b }),
      "DELETE connection",
    );
    expectNotFound(
      await api(server.url, "GET", `/v1/proxy/${googleA}/gmail/v1/users/me/messages`, { token: b }),
      "proxy through A's connection",
    );
    const action = await describeAction(server.url, b, "google.gmail.search");
    expectNotFound(
      await api(server.url, "POST", "/v1/actions/google.gmail.search", {
        token: b,
        body: { connectionId: googleA, input: minimalInput(action.inputSchema as never) },
      }),
      "action on A's connection",
    );
    for (const query of [
      "",
      `?userId=${encodeURIComponent(userId)}`,
      "?providerId=google",
      "?status=active",
    ]) {
      const list = await api<{ items: Array<{ id: string }> }>(server.url, "GET", `/v1/connections${query}`, {
        token: b,
      });
      expect(list.status).toBe(200);
      expect(list.json.items.map((item) => item.id)).not.toContain(googleA);
      expect(list.json.items.map((item) => item.id)).not.toContain(microsoftA);
    }
    // An action by user id must not pick A's connection for B either.
    const byUser = await api(server.url, "POST", "/v1/actions/google.gmail.search", {
      token: b,
      body: { userId, input: minimalInput(action.inputSchema as never) },
    });
    expect(byUser.status, byUser.text).toBe(403);
    expect((byUser.json as { code: string }).code).toBe("auth_required");
    expect(await snapshotA()).toEqual(before);
  });

  it("cannot build a session over A's connection", async () => {
    const response = await api(server.url, "POST", "/v1/sessions", {
      token: clientB.apiKey,
      body: { userId, connectionIds: [googleA] },
    });
    expect([400, 404], response.text).toContain(response.status);
    expect(isProblem(response)).toBe(true);
    // Nor pick it up implicitly by provider id.
    const byProvider = await api<{ connectionIds?: string[] }>(server.url, "POST", "/v1/sessions", {
      token: clientB.apiKey,
      body: { userId, providerIds: ["google"] },
    });
    if (byProvider.status === 201) expect(byProvider.json.connectionIds).not.toContain(googleA);
    else expect(byProvider.status).toBeLessThan(500);
  });

  it("cannot read, list, extend or revoke A's sessions", async () => {
    const before = await snapshotA();
    const b = clientB.apiKey;
    expectNotFound(await api(server.url, "GET", `/v1/sessions/${sessionA.id}`, { token: b }), "GET session");
    expectNotFound(
      await api(server.url, "POST", `/v1/sessions/${sessionA.id}/extend`, {
        token: b,
        body: { ttlSeconds: 600 },
      }),
      "extend session",
    );
    expectNotFound(
      await api(server.url, "DELETE", `/v1/sessions/${sessionA.id}`, { token: b }),
      "DELETE session",
    );
    const list = await api<{ items: Array<{ id: string }> }>(
      server.url,
      "GET",
      `/v1/sessions?userId=${userId}`,
      {
        token: b,
      },
    );
    expect(list.status).toBe(200);
    expect(list.json.items.map((item) => item.id)).not.toContain(sessionA.id);
    const stillWorks = await api(server.url, "GET", "/v1/session", { token: sessionA.token });
    expect(stillWorks.status).toBe(200);
    expect(await snapshotA()).toEqual(before);
  });

  it("cannot read A's connect requests", async () => {
    expectNotFound(
      await api(server.url, "GET", `/v1/connect-requests/${requestA}`, { token: clientB.apiKey }),
      "GET connect request",
    );
  });

  it("sees none of A's audit events", async () => {
    const own = await api<{ items: Array<{ connectionId?: string; sessionId?: string }> }>(
      server.url,
      "GET",
      "/v1/audit-events?limit=200",
      { token: clientA.apiKey },
    );
    expect(own.status, own.text).toBe(200);
    expect(own.json.items.some((event) => event.connectionId === googleA)).toBe(true);
    for (const query of ["?limit=200", `?connectionId=${googleA}`, `?userId=${encodeURIComponent(userId)}`]) {
      const events = await api<{
        items: Array<{ connectionId?: string; sessionId?: string; clientId?: string }>;
      }>(server.url, "GET", `/v1/audit-events${query}`, { token: clientB.apiKey });
      expect(events.status, events.text).toBe(200);
      // B may see its own events about the same user id (its own connect requests), never A's.
      const mine = events.json.items.filter(
        (event) =>
          event.clientId !== clientB.id ||
          event.connectionId === googleA ||
          event.connectionId === microsoftA ||
          event.sessionId === sessionA.id,
      );
      expect(mine, query).toEqual([]);
    }
    expect((await api(server.url, "GET", "/v1/audit-events/verify", { token: clientB.apiKey })).status).toBe(
      403,
    );
  });
});

describe("a session reaches only what it holds", () => {
  it("cannot read, use, proxy or get a token for a connection it does not hold", async () => {
    const t = sessionA.token;
    for (const response of [
      await api(server.url, "GET", `/v1/connections/${microsoftA}`, { token: t }),
      await api(server.url, "POST", `/v1/connections/${microsoftA}/token`, { token: t, body: {} }),
      await api(server.url, "GET", `/v1/proxy/${microsoftA}/v1.0/me/messages`, { token: t }),
      await api(server.url, "POST", "/v1/actions/microsoft.mail.search", {
        token: t,
        body: { connectionId: microsoftA, input: {} },
      }),
    ]) {
      expect([403, 404], response.text).toContain(response.status);
      expect(isProblem(response)).toBe(true);
    }
    const list = await api<{ items: Array<{ id: string }> }>(server.url, "GET", "/v1/connections", {
      token: t,
    });
    expect(list.status).toBe(200);
    expect(list.json.items.map((item) => item.id)).toEqual([googleA]);
    // A session cannot act as a client: no sessions, no connect requests, no deletes.
    expect(
      (await api(server.url, "DELETE", `/v1/connections/${googleA}`, { token: t })).status,
    ).toBeGreaterThanOrEqual(403);
    expect(
      (await api(server.url, "POST", "/v1/sessions", { token: t, body: { userId } })).status,
    ).toBeGreaterThanOrEqual(403);
    expect(
      (await api(server.url, "GET", `/v1/connections/${googleA}`, { token: clientA.apiKey })).json,
    ).toMatchObject({
      status: "active",
    });
  });

  it("a revoked session fails at once; a session may revoke itself", async () => {
    const first = await createSession(server.url, clientA.apiKey, { userId, connectionIds: [googleA] });
    expect((await api(server.url, "GET", "/v1/session", { token: first.token })).status).toBe(200);
    expect(
      (await api(server.url, "DELETE", `/v1/sessions/${first.id}`, { token: clientA.apiKey })).status,
    ).toBe(204);
    const after = await api(server.url, "GET", "/v1/session", { token: first.token });
    expect(after.status).toBe(401);
    expect(after.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(isProblem(after)).toBe(true);
    const proxied = await api(server.url, "GET", `/v1/proxy/${googleA}/gmail/v1/users/me/messages`, {
      token: first.token,
    });
    expect(proxied.status).toBe(401);

    const second = await createSession(server.url, clientA.apiKey, { userId, connectionIds: [googleA] });
    expect(
      (await api(server.url, "DELETE", `/v1/sessions/${second.id}`, { token: second.token })).status,
    ).toBe(204);
    expect((await api(server.url, "GET", "/v1/session", { token: second.token })).status).toBe(401);
  });

  it("a deleted client's key stops working at once", async () => {
    const doomed = await createClient(server.url, server.adminKey, { name: "Doomed" });
    expect((await api(server.url, "GET", "/v1/connections", { token: doomed.apiKey })).status).toBe(200);
    expect(
      (await api(server.url, "DELETE", `/v1/clients/${doomed.id}`, { token: server.adminKey })).status,
    ).toBe(204);
    expect((await api(server.url, "GET", "/v1/connections", { token: doomed.apiKey })).status).toBe(401);
  });

  it("an expired session fails at once", { timeout: 90_000 }, async () => {
    const wait = Date.parse(shortSession.expiresAt) - Date.now() + 1_000;
    if (wait > 0) await sleep(wait);
    const response = await api(server.url, "GET", "/v1/session", { token: shortSession.token });
    expect(response.status).toBe(401);
    expect(isProblem(response)).toBe(true);
  });
});
