import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { WebhookEvent } from "@securecontext/protocol";
import { memoryBackend, type StoreBackend } from "@securecontext/token-store";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../logging/logger";
import { retryDelayMs } from "./backoff";
import { createWebhookService, type WebhookService } from "./service";
import { signWebhook, verifyWebhookSignature } from "./signature";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  event: WebhookEvent;
}

/** A real HTTP receiver on 127.0.0.1:0 answering with the scripted statuses, then 200. */
async function receiver(script: number[] = [], hangMs = 0) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ headers: req.headers, body, event: JSON.parse(body) as WebhookEvent });
      const status = script.shift() ?? 200;
      setTimeout(() => res.writeHead(status, { "content-type": "text/plain" }).end("x"), hangMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const logLines: string[] = [];
const logger = createLogger({
  level: "debug",
  destination: { write: (line: string) => logLines.push(line) },
});
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function service(
  backend: StoreBackend,
  extra: Partial<Parameters<typeof createWebhookService>[0]> = {},
): WebhookService {
  const svc = createWebhookService({
    records: backend.records,
    locks: backend.locks,
    logger,
    retry: { attempts: 4, baseDelayMs: 20, maxDelayMs: 100 },
    pollIntervalMs: 50,
    ...extra,
  });
  cleanups.push(() => svc.close());
  return svc;
}

describe("webhook signatures", () => {
  const secret = "scp_whsec_testsecrettestsecret";
  const body = '{"id":"evt_1","type":"connection.created"}';
  const now = 1_700_000_000_000;

  it("signs t.body with HMAC-SHA256 and verifies it", () => {
    const header = signWebhook(secret, body, now / 1000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(body, header, secret, { now })).toBe(true);
  });

  it("rejects a changed body, a wrong secret, a stale or future timestamp and malformed headers", () => {
    const header = signWebhook(secret, body, now / 1000);
    expect(verifyWebhookSignature(`${body} `, header, secret, { now })).toBe(false);
    expect(verifyWebhookSignature(body, header, `${secret}x`, { now })).toBe(false);
    expect(verifyWebhookSignature(body, header, secret, { now: now + 301_000 })).toBe(false);
    expect(verifyWebhookSignature(body, header, secret, { now: now - 301_000 })).toBe(false);
    expect(verifyWebhookSignature(body, header, secret, { now: now + 600_000, toleranceSec: 900 })).toBe(
      true,
    );
    const v1 = header.split("v1=")[1] ?? "";
    // Re-dating a captured signature fails: t is signed.
    expect(verifyWebhookSignature(body, `t=1700000100,v1=${v1}`, secret, { now })).toBe(false);
    for (const bad of [
      undefined,
      "",
      "v1=abc",
      `t=abc,v1=${v1}`,
      `t=1700000000`,
      `t=1,t=1700000000,v1=${v1}`,
      "garbage",
    ]) {
      expect(verifyWebhookSignature(body, bad, secret, { now }), String(bad)).toBe(false);
    }
    expect(verifyWebhookSignature(body, `${header.slice(0, -2)}zz`, secret, { now })).toBe(false);
    // Any one of several v1 values may match (secret rotation).
    expect(verifyWebhookSignature(body, `t=1700000000,v1=${"0".repeat(64)},v1=${v1}`, secret, { now })).toBe(
      true,
    );
  });

  it("back-off doubles with jitter and respects the cap", () => {
    const policy = { attempts: 6, baseDelayMs: 20_000, maxDelayMs: 300_000 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, policy, () => 1))).toEqual([
      20_000, 40_000, 80_000, 160_000, 300_000,
    ]);
    expect(retryDelayMs(1, policy, () => 0)).toBe(10_000);
  });
});

describe("webhook service", () => {
  it("creates with a shown-once secret, lists without secrets, deletes", async () => {
    const svc = service(memoryBackend());
    const created = await svc.create({
      url: "https://example.com/hooks",
      events: ["connection.created", "connection.created"],
    });
    expect(created.id).toMatch(/^whk_/);
    expect(created.secret).toMatch(/^scp_whsec_[0-9A-Za-z]{43}$/);
    expect(created.events).toEqual(["connection.created"]);
    const listed = await svc.list();
    expect(listed.items).toEqual([
      { id: created.id, url: created.url, events: created.events, createdAt: created.createdAt },
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    expect(await svc.delete(created.id)).toBe(true);
    expect(await svc.delete(created.id)).toBe(false);
    expect(await svc.delete("../etc")).toBe(false);
    await expect(svc.create({ url: "ftp://x", events: ["*"] })).rejects.toMatchObject({ field: "body.url" });
    await expect(svc.create({ url: "https://x.example", events: ["nope" as "*"] })).rejects.toMatchObject({
      code: "invalid_request",
    });
    await expect(svc.emit("nope" as "connection.created", {})).rejects.toMatchObject({
      code: "invalid_request",
    });
  });

  it("delivers signed JSON with SCP-Event-Id to subscribers only", async () => {
    const hooks = await receiver();
    cleanups.push(hooks.close);
    const svc = service(memoryBackend());
    svc.start();
    const all = await svc.create({ url: hooks.url, events: ["*"] });
    const revokedOnly = await svc.create({
      url: `${hooks.url}?only=revoked`,
      events: ["connection.revoked"],
    });
    const event = await svc.emit("connection.created", { connectionId: "con_1", userId: "u1" });
    await waitFor(() => hooks.received.length >= 1);
    await sleep(150);
    expect(hooks.received).toHaveLength(1);
    const [delivery] = hooks.received;
    if (!delivery) throw new Error("no delivery");
    expect(delivery.headers["content-type"]).toBe("application/json");
    expect(delivery.headers["scp-event-id"]).toBe(event.id);
    expect(delivery.event).toEqual(event);
    expect(delivery.event).toMatchObject({
      type: "connection.created",
      data: { connectionId: "con_1", userId: "u1" },
    });
    const signature = delivery.headers["scp-signature"] as string;
    expect(verifyWebhookSignature(delivery.body, signature, all.secret)).toBe(true);
    expect(verifyWebhookSignature(delivery.body, signature, revokedOnly.secret)).toBe(false);

    await svc.emit("connection.revoked", { connectionId: "con_1" });
    await waitFor(() => hooks.received.length >= 3);
    await sleep(100);
    expect(hooks.received).toHaveLength(3);
    const revoked = hooks.received.slice(1);
    const verifiedWith = (secret: string) =>
      revoked.filter(({ headers, body }) =>
        verifyWebhookSignature(body, headers["scp-signature"] as string, secret),
      );
    expect(verifiedWith(all.secret)).toHaveLength(1);
    expect(verifiedWith(revokedOnly.secret)).toHaveLength(1);
    expect(new Set(revoked.map((r) => r.event.id)).size).toBe(1);
  });

  it("retries after two 500s and succeeds with the same event id", async () => {
    const hooks = await receiver([500, 500]);
    cleanups.push(hooks.close);
    const svc = service(memoryBackend());
    svc.start();
    await svc.create({ url: hooks.url, events: ["connection.needs_reauth"] });
    const event = await svc.emit("connection.needs_reauth", { connectionId: "con_2" });
    await waitFor(() => hooks.received.length >= 3);
    await sleep(200);
    expect(hooks.received).toHaveLength(3);
    expect(hooks.received.map((r) => r.headers["scp-event-id"])).toEqual([event.id, event.id, event.id]);
    expect(new Set(hooks.received.map((r) => r.body)).size).toBe(1);
  });

  it("retries on 429 and network errors, gives up after the last attempt", async () => {
    const hooks = await receiver([429, 503, 502, 500, 500]);
    cleanups.push(hooks.close);
    const backend = memoryBackend();
    const svc = service(backend);
    svc.start();
    await svc.create({ url: hooks.url, events: ["*"] });
    const event = await svc.emit("connection.refresh_failed", {});
    await waitFor(() => hooks.received.length >= 4);
    await sleep(300);
    expect(hooks.received).toHaveLength(4); // attempts: 4
    const dead = await backend.records.list("webhooks:dead:");
    expect(dead.items).toHaveLength(1);
    expect(dead.items[0]?.key).toContain(event.id);
    expect((await backend.records.list("webhooks:out:")).items).toHaveLength(0);

    // A receiver that is not listening at all: connection refused is retried too.
    const closed = await receiver();
    await closed.close();
    const refused: string[] = [];
    const fetchSpy: typeof fetch = (input, init) => {
      refused.push(String(input));
      return fetch(input, init);
    };
    const svc2 = service(memoryBackend(), {
      fetch: fetchSpy,
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 20 },
    });
    svc2.start();
    await svc2.create({ url: closed.url, events: ["*"] });
    await svc2.emit("connection.revoked", {});
    await waitFor(() => refused.length >= 3);
    await sleep(150);
    expect(refused).toHaveLength(3);
  });

  it("gives up at once on 400 and does not follow redirects", async () => {
    const hooks = await receiver([400, 302]);
    cleanups.push(hooks.close);
    const svc = service(memoryBackend());
    svc.start();
    await svc.create({ url: hooks.url, events: ["*"] });
    await svc.emit("connect_request.failed", {});
    await svc.emit("connect_request.failed", {});
    await waitFor(() => hooks.received.length >= 2);
    await sleep(300);
    expect(hooks.received).toHaveLength(2);
  });

  it("retries an attempt that times out", async () => {
    const hooks = await receiver([], 300);
    cleanups.push(hooks.close);
    const svc = service(memoryBackend(), {
      timeoutMs: 100,
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 10 },
    });
    svc.start();
    await svc.create({ url: hooks.url, events: ["*"] });
    await svc.emit("connection.created", {});
    await waitFor(() => hooks.received.length >= 2);
    expect(hooks.received[0]?.event.id).toBe(hooks.received[1]?.event.id);
  });

  it("persists the outbox: a new instance delivers what a stopped one emitted", async () => {
    const hooks = await receiver();
    cleanups.push(hooks.close);
    const backend = memoryBackend();
    const first = service(backend);
    await first.create({ url: hooks.url, events: ["*"] });
    const event = await first.emit("workflow_run.succeeded", { runId: "run_1" });
    await first.close();
    expect(hooks.received).toHaveLength(0);
    const second = service(backend);
    second.start();
    await waitFor(() => hooks.received.length >= 1);
    expect(hooks.received[0]?.event.id).toBe(event.id);
  });

  it("with two instances on one store, each event is delivered once", async () => {
    const hooks = await receiver();
    cleanups.push(hooks.close);
    const backend = memoryBackend();
    const a = service(backend, { pollIntervalMs: 5 });
    const b = service(backend, { pollIntervalMs: 5 });
    a.start();
    b.start();
    await a.create({ url: hooks.url, events: ["*"] });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await (i % 2 ? a : b).emit("connection.created", { i })).id);
    await waitFor(() => hooks.received.length >= 20);
    await sleep(200);
    expect(hooks.received.map((r) => r.event.id).sort()).toEqual([...ids].sort());
  });

  it("drops pending deliveries of a deleted webhook and never logs secrets", async () => {
    const hooks = await receiver([500]);
    cleanups.push(hooks.close);
    const backend = memoryBackend();
    const svc = service(backend, { retry: { attempts: 5, baseDelayMs: 200, maxDelayMs: 200 } });
    svc.start();
    const created = await svc.create({ url: hooks.url, events: ["*"] });
    await svc.emit("connection.created", {});
    await waitFor(() => hooks.received.length >= 1);
    await svc.delete(created.id);
    await sleep(400);
    expect(hooks.received).toHaveLength(1);
    expect((await backend.records.list("webhooks:out:")).items).toHaveLength(0);
    expect(logLines.join("")).not.toContain(created.secret);
    expect(logLines.join("")).not.toContain("/hooks");
  });
});
