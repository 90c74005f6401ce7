/**
 * Cross-instance behaviour of the server's services on one real Redis (REDIS_URL, default
 * redis://127.0.0.1:6379): two audit logs append to one valid chain, two rate limiters share one
 * budget, two webhook services deliver each event once.
 * Each instance gets its own injected node-redis client and the same unique key prefix; the
 * suite deletes its keys afterwards.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBase62 } from "@securecontext/protocol";
import { createAuditLog } from "@securecontext/session-pool";
import { redisBackend } from "@securecontext/store-redis";
import type { StoreBackend } from "@securecontext/token-store";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/logging";
import { createRateLimiter } from "../src/rate-limit";
import { createWebhookService } from "../src/webhooks";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

describe("services on one Redis, two instances", () => {
  const prefix = `test:${randomBase62(12)}:`;
  const client = createClient({ url });
  const owned: Array<ReturnType<typeof createClient>> = [];
  let a: StoreBackend;
  let b: StoreBackend;

  beforeAll(async () => {
    await client.connect();
    const make = async () => {
      const own = createClient({ url });
      await own.connect();
      owned.push(own);
      return redisBackend({ client: own, prefix });
    };
    a = await make();
    b = await make();
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    for await (const keys of client.scanIterator({ MATCH: `*${prefix}*`, COUNT: 500 })) {
      const list = Array.isArray(keys) ? keys : [keys];
      if (list.length > 0) await client.del(list);
    }
    await client.quit();
    for (const own of owned) await own.quit();
  });

  it("audit: two instances appending concurrently make one valid chain", async () => {
    const one = createAuditLog({ records: a.records, locks: a.locks });
    const two = createAuditLog({ records: b.records, locks: b.locks });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? one : two).append({ type: "t", actor: "system", outcome: "success", action: `a${i}` }),
      ),
    );
    expect(await one.verify()).toEqual({ valid: true, count: 40 });
    const page = await two.list({ limit: 200 });
    expect(new Set(page.items.map((event) => event.action)).size).toBe(40);
  });

  it("rate limit: two limiters share the budget", async () => {
    const one = createRateLimiter({ counters: a.counters, limitPerMinute: 10 });
    const two = createRateLimiter({ counters: b.counters, limitPerMinute: 10 });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? one : two).check("key:x")),
    );
    expect(results.filter((result) => result.allowed)).toHaveLength(10);
  });

  it("webhooks: two instances deliver each event exactly once", async () => {
    const ids: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        ids.push((JSON.parse(Buffer.concat(chunks).toString("utf8")) as { id: string }).id);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    const logger = createLogger({ level: "silent" });
    const one = createWebhookService({ records: a.records, locks: a.locks, logger, pollIntervalMs: 10 });
    const two = createWebhookService({ records: b.records, locks: b.locks, logger, pollIntervalMs: 10 });
    one.start();
    two.start();
    try {
      await one.create({ url: hookUrl, events: ["*"] });
      const emitted: string[] = [];
      for (let i = 0; i < 20; i++)
        emitted.push((await (i % 2 ? one : two).emit("connection.created", { i })).id);
      const deadline = Date.now() + 10_000;
      while (ids.length < 20 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect([...ids].sort()).toEqual([...emitted].sort());
    } finally {
      await one.close();
      await two.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
