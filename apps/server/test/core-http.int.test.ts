import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { completeAuthorization } from "@securecontext/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/index";
import { verifyWebhookSignature } from "../src/webhooks";

const KEY = "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const ADMIN = "admin-key-for-tests-0123456789abcdef";

describe("core: HTTP behaviour", () => {
  let server: RunningServer;
  const api = (path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set("authorization", `Bearer ${init.token}`);
    if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
    return fetch(`${server.url}${path}`, { ...init, headers, redirect: "manual" });
  };
  const createClient = async (name: string, extra: Record<string, unknown> = {}) =>
    (
      await api("/v1/clients", { method: "POST", token: ADMIN, body: JSON.stringify({ name, ...extra }) })
    ).json();

  /** GET with the request target sent byte for byte (fetch would normalize `..` and `%2e%2e`). */
  const rawGet = (target: string, token: string) =>
    new Promise<{ status: number; contentType: string | undefined }>((resolve, reject) => {
      const url = new URL(server.url);
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: target,
          method: "GET",
          headers: { authorization: `Bearer ${token}` },
        },
        (res) => {
          res.resume();
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, contentType: res.headers["content-type"] }),
          );
        },
      );
      req.on("error", reject);
      req.end();
    });

  /** Connects `userId` on google through the consent page and the test IdP; returns the connection id. */
  async function connect(apiKey: string, userId: string): Promise<string> {
    const request = await (
      await api("/v1/connect-requests", {
        method: "POST",
        token: apiKey,
        body: JSON.stringify({ userId, providerId: "google" }),
      })
    ).json();
    const page = await fetch(request.url);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] as string;
    const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const approve = await fetch(`${request.url}/approve`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: new URLSearchParams({ csrf }).toString(),
      redirect: "manual",
    });
    const callback = await completeAuthorization(approve.headers.get("location") as string, {
      user: "bob@example.test",
    });
    const result = await fetch(callback, { headers: { cookie }, redirect: "manual" });
    expect(result.status).toBe(200);
    const html = await result.text();
    expect(html).toContain("bob@example.test");
    const status = await (await api(`/v1/connect-requests/${request.id}`, { token: apiKey })).json();
    return status.connectionId as string;
  }

  beforeAll(async () => {
    server = await startServer({
      env: { SCP_STORE: "memory:", SCP_LOG_LEVEL: "silent", SCP_ENCRYPTION_KEYS: KEY, SCP_ADMIN_KEY: ADMIN },
      port: 0,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("answers problem+json for auth, validation, size, media type and unknown routes", async () => {
    const anonymous = await api("/v1/clients");
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(anonymous.headers.get("content-type")).toBe("application/problem+json");
    expect((await api("/v1/clients", { token: "wrong-admin-key-0123456789abcdef0123" })).status).toBe(401);
    expect((await api("/v1/session", { token: "scp_st_forged" })).status).toBe(401);

    const unknownField = await api("/v1/clients", {
      method: "POST",
      token: ADMIN,
      body: JSON.stringify({ name: "x", extra: 1 }),
    });
    expect(unknownField.status).toBe(400);
    expect((await unknownField.json()).field).toBe("body.extra");

    const malformed = await api("/v1/clients", { method: "POST", token: ADMIN, body: "{nope" });
    expect(malformed.status).toBe(400);

    const text = await api("/v1/clients", {
      method: "POST",
      token: ADMIN,
      body: "name=x",
      headers: { "content-type": "text/plain" },
    });
    expect(text.status).toBe(415);

    const big = await api("/v1/clients", {
      method: "POST",
      token: ADMIN,
      body: JSON.stringify({ name: "x".repeat(1024 * 1024 + 10) }),
    });
    expect(big.status).toBe(413);
    expect((await big.json()).code).toBe("payload_too_large");

    const missing = await api("/v1/definitely-not-here", { token: ADMIN });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
    expect((await api("/v1/workflow-templates", { token: ADMIN })).status).toBe(404);

    const badId = await api("/v1/connections/not-an-id", { token: ADMIN });
    expect(badId.status).toBe(400);
    expect((await badId.json()).field).toBe("path.id");

    const badLimit = await api("/v1/clients?limit=500", { token: ADMIN });
    expect((await badLimit.json()).field).toBe("query.limit");
    expect(anonymous.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("puts the request id and rate-limit headers on answers, errors thrown by handlers included", async () => {
    const ok = await api("/v1/clients", { token: ADMIN });
    const thrown = await api("/v1/connections/not-an-id", {
      token: ADMIN,
      headers: { "x-request-id": "trace-42" },
    });
    const missing = await api("/v1/connections/con_0000000000000000000000", { token: ADMIN });
    expect([ok.status, thrown.status, missing.status]).toEqual([200, 400, 404]);
    for (const response of [ok, thrown, missing]) {
      expect(response.headers.get("ratelimit-limit")).toMatch(/^[0-9]+$/);
      expect(response.headers.get("ratelimit-remaining")).toMatch(/^[0-9]+$/);
    }
    expect(ok.headers.get("x-request-id")).toMatch(/^req_[0-9A-Za-z]{20}$/);
    expect(thrown.headers.get("x-request-id")).toBe("trace-42");
    expect(missing.headers.get("x-request-id")).toMatch(/^req_/);
    expect(missing.headers.get("x-request-id")).not.toBe(ok.headers.get("x-request-id"));
    // One value per header, not the preset one and the handler's both.
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
  });

  it("reads bodies that arrived whole with their headers: JSON, empty, and empty with a JSON type", async () => {
    const whole = await api("/v1/clients", {
      method: "POST",
      token: ADMIN,
      body: JSON.stringify({ name: "whole" }),
    });
    expect(whole.status).toBe(201);
    expect((await whole.json()).name).toBe("whole");
    const empty = await api("/v1/clients", { method: "POST", token: ADMIN });
    expect(empty.status).toBe(400);
    expect((await empty.json()).field).toBe("body.name");
    const typedEmpty = await api("/v1/clients", {
      method: "POST",
      token: ADMIN,
      headers: { "content-type": "application/json", "content-length": "0" },
    });
    expect((await typedEmpty.json()).field).toBe("body.name");
    // The connection is still usable afterwards (the stream ended cleanly).
    expect((await api("/v1/clients", { token: ADMIN })).status).toBe(200);
  });

  it("reads a body that arrives in pieces, and stops reading one that streams past 1 MiB without a length", async () => {
    /** POST /v1/clients with a chunked body (no Content-Length), written piece by piece. */
    const chunkedPost = (pieces: string[], pauseMs: number) =>
      new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
        const url = new URL(server.url);
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path: "/v1/clients",
            method: "POST",
            headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              text += chunk;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
          },
        );
        req.on("error", reject);
        const write = async () => {
          for (const piece of pieces) {
            // The server may answer (413) before the rest is written: stop writing then.
            if (req.destroyed) return;
            req.write(piece);
            await new Promise((done) => setTimeout(done, pauseMs));
          }
          req.end();
        };
        void write();
      });

    // The handler runs before the second piece exists: the body is read as it streams in.
    const slow = await chunkedPost(['{"name":', '"slow client"}'], 50);
    expect(slow.status).toBe(201);
    expect(slow.body.name).toBe("slow client");

    // Past 1 MiB without a declared length the server stops reading and drops the connection
    // (answering would mean draining whatever the client keeps sending).
    const huge = await chunkedPost(
      ['{"name":"', "x".repeat(600 * 1024), "x".repeat(600 * 1024), '"}'],
      5,
    ).then(
      (answer) => answer.status,
      (error: NodeJS.ErrnoException) => error.code,
    );
    expect(["ECONNRESET", "EPIPE", 413]).toContain(huge);
  });

  it("keeps clients apart and deletes keys at once", async () => {
    const a = await createClient("A");
    const b = await createClient("B");
    const connectionId = await connect(a.apiKey, "shared-user");
    expect((await api(`/v1/connections/${connectionId}`, { token: b.apiKey })).status).toBe(404);
    expect((await api(`/v1/connections/${connectionId}`, { method: "DELETE", token: b.apiKey })).status).toBe(
      404,
    );
    expect((await (await api("/v1/connections", { token: b.apiKey })).json()).items).toEqual([]);
    const bSession = await api("/v1/sessions", {
      method: "POST",
      token: b.apiKey,
      body: JSON.stringify({ userId: "shared-user", connectionIds: [connectionId] }),
    });
    expect(bSession.status).toBe(404);
    expect((await api("/v1/clients", { token: a.apiKey })).status).toBe(403);

    // A session cannot reach a connection it does not hold.
    const other = await connect(a.apiKey, "someone-else");
    const session = await (
      await api("/v1/sessions", {
        method: "POST",
        token: a.apiKey,
        body: JSON.stringify({ userId: "shared-user", connectionIds: [connectionId] }),
      })
    ).json();
    expect((await api(`/v1/connections/${other}`, { token: session.token })).status).toBe(404);
    expect((await api(`/v1/proxy/${other}/gmail/v1/users/me/profile`, { token: session.token })).status).toBe(
      404,
    );
    const listed = await (await api("/v1/connections", { token: session.token })).json();
    expect(listed.items.map((item: { id: string }) => item.id)).toEqual([connectionId]);

    expect((await api(`/v1/clients/${b.id}`, { method: "DELETE", token: ADMIN })).status).toBe(204);
    expect((await api("/v1/connections", { token: b.apiKey })).status).toBe(401);

    // Revocation by the owning client.
    expect((await api(`/v1/connections/${connectionId}`, { method: "DELETE", token: a.apiKey })).status).toBe(
      204,
    );
    const revoked = await (await api(`/v1/connections/${connectionId}`, { token: a.apiKey })).json();
    expect(revoked.status).toBe("revoked");
  });

  it("rejects proxy paths that try to leave the API base", async () => {
    const client = await createClient("Proxy");
    const connectionId = await connect(client.apiKey, "proxy-user");
    const attempts = [
      "gmail/v1/../../../etc",
      "gmail/%2e%2e/secret",
      "gmail/%2E%2e/%2e%2E/x",
      "gmail/./v1",
      "gmail%2fv1",
      "gmail%5cv1",
      "gmail\\v1",
      "@evil.example/x",
      "%40evil.example/x",
      "/evil.example/x",
      "http://evil.example/",
      "gmail/%252e%252e/x",
    ];
    for (const path of attempts) {
      const response = await rawGet(`/v1/proxy/${connectionId}/${path}`, ADMIN);
      expect([400, 403, 404], path).toContain(response.status);
      // A raw backslash is already refused by the HTTP layer (plain 400) before routing.
      if (!path.includes("\\")) expect(response.contentType, path).toBe("application/problem+json");
    }
    const wrongBase = await api(`/v1/proxy/${connectionId}/gmail/v1/users/me/messages`, {
      token: ADMIN,
      headers: { "scp-proxy-base": "http://evil.example" },
    });
    expect(wrongBase.status).toBe(400);
    const ok = await api(`/v1/proxy/${connectionId}/gmail/v1/users/me/messages?maxResults=1`, {
      token: ADMIN,
    });
    expect(ok.status).toBe(200);
  });

  it("serves a one-time portal link with CSRF-protected disconnect", async () => {
    const client = await createClient("Portal");
    const connectionId = await connect(client.apiKey, "portal-user");
    const link = await (
      await api("/v1/users/portal-user/portal-links", { method: "POST", token: client.apiKey })
    ).json();
    expect(link.url).toMatch(new RegExp(`^${server.url}/my/`));
    const open = await fetch(link.url, { redirect: "manual" });
    expect(open.status).toBe(303);
    const cookie = (open.headers.get("set-cookie") ?? "").split(";")[0] as string;
    expect((await fetch(link.url, { redirect: "manual" })).status).toBe(410);
    const page = await fetch(`${server.url}/my`, { headers: { cookie } });
    const html = await page.text();
    expect(html).toContain("bob@example.test");
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const forged = await fetch(`${server.url}/my/connections/${connectionId}/disconnect`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: "csrf=forged",
      redirect: "manual",
    });
    expect(forged.status).toBe(403);
    const disconnect = await fetch(`${server.url}/my/connections/${connectionId}/disconnect`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf }).toString(),
      redirect: "manual",
    });
    expect(disconnect.status).toBe(303);
    expect(
      (await (await api(`/v1/connections/${connectionId}`, { token: client.apiKey })).json()).status,
    ).toBe("revoked");
  });

  it("delivers signed webhooks for pool events and exposes metrics by route pattern", async () => {
    const received: Array<{ body: string; signature: string | undefined }> = [];
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        received.push({ body, signature: req.headers["scp-signature"] as string | undefined });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const hook = await (
        await api("/v1/webhooks", {
          method: "POST",
          token: ADMIN,
          body: JSON.stringify({ url: hookUrl, events: ["connection.created"] }),
        })
      ).json();
      expect(hook.secret).toBeTruthy();
      const client = await createClient("Hooks");
      const connectionId = await connect(client.apiKey, "hook-user");
      const deadline = Date.now() + 10_000;
      while (!received.some((entry) => entry.body.includes(connectionId)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const delivery = received.find((entry) => entry.body.includes(connectionId));
      expect(delivery).toBeDefined();
      const event = JSON.parse(delivery?.body ?? "{}");
      expect(event.type).toBe("connection.created");
      expect(verifyWebhookSignature(delivery?.body ?? "", delivery?.signature, hook.secret)).toBe(true);
      expect(verifyWebhookSignature(delivery?.body ?? "", delivery?.signature, "scp_whsec_wrong")).toBe(
        false,
      );
      expect((await api(`/v1/webhooks/${hook.id}`, { method: "DELETE", token: ADMIN })).status).toBe(204);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
    const metrics = await api("/metrics", { token: ADMIN });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('route="/v1/connect-requests/:id"');
    expect(text).not.toMatch(/con_[0-9A-Za-z]{22}/);
  });

  it("publishes OpenAPI 3.1 with every route and the demo landing page", async () => {
    const doc = await (await api("/openapi.json")).json();
    expect(doc.openapi).toBe("3.1.0");
    for (const path of [
      "/v1/clients",
      "/v1/connect-requests",
      "/v1/connections/{id}/token",
      "/v1/sessions/{id}/extend",
      "/v1/actions/{actionId}/stream",
      "/v1/audit-events/verify",
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(doc.components.schemas.CreateSessionBody).toBeDefined();
    expect(doc.components.securitySchemes.bearer.scheme).toBe("bearer");
    const landing = await fetch(`${server.url}/`);
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain("DEMO MODE".toLowerCase().replace("demo mode", "Demo mode"));
    expect((await api("/metrics")).status).toBe(401);
    expect((await api("/readyz")).status).toBe(200);
  });
});
