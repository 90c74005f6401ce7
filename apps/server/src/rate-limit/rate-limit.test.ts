import { memoryBackend } from "@securecontext/token-store";
import { describe, expect, it } from "vitest";
import { createRateLimiter, rateLimitHeaders } from "./rate-limiter";

describe("rate limiter", () => {
  it("allows limitPerMinute requests per key per window, then blocks with Retry-After", async () => {
    let clock = 1_000_000;
    const backend = memoryBackend({ now: () => clock });
    const limiter = createRateLimiter({ counters: backend.counters, limitPerMinute: 3, now: () => clock });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.check("key:a"));
    expect(results.map((result) => [result.allowed, result.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    const blocked = results[3];
    if (!blocked) throw new Error("missing result");
    expect(blocked.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(blocked.retryAfterSeconds).toBeLessThanOrEqual(60);
    const headers = rateLimitHeaders(blocked, () => clock);
    expect(headers).toEqual({
      "RateLimit-Limit": "3",
      "RateLimit-Remaining": "0",
      "RateLimit-Reset": String(blocked.retryAfterSeconds),
      "RateLimit-Policy": "3;w=60",
      "Retry-After": String(blocked.retryAfterSeconds),
    });

    // Other keys have their own budget.
    expect((await limiter.check("key:b")).allowed).toBe(true);
    // The next window starts fresh.
    clock = blocked.resetAt + 1;
    const fresh = await limiter.check("key:a");
    expect(fresh).toMatchObject({ allowed: true, remaining: 2 });
    expect(rateLimitHeaders(fresh, () => clock)).not.toHaveProperty("Retry-After");
  });

  it("limitPerMinute 0 turns limiting off and emits no headers", async () => {
    const backend = memoryBackend();
    const limiter = createRateLimiter({ counters: backend.counters, limitPerMinute: 0 });
    for (let i = 0; i < 50; i++) expect((await limiter.check("key:a")).allowed).toBe(true);
    expect(rateLimitHeaders(await limiter.check("key:a"))).toEqual({});
  });

  it("two limiters on one store share the budget", async () => {
    const backend = memoryBackend();
    const a = createRateLimiter({ counters: backend.counters, limitPerMinute: 10 });
    const b = createRateLimiter({ counters: backend.counters, limitPerMinute: 10 });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).check("key:shared")),
    );
    expect(results.filter((result) => result.allowed)).toHaveLength(10);
  });

  it("counts a turn's checks together, in call order, each with its own count", async () => {
    const backend = memoryBackend();
    const seen: string[] = [];
    const limiter = createRateLimiter({
      counters: {
        increment: (key, windowMs) => {
          seen.push(key);
          return backend.counters.increment(key, windowMs);
        },
      },
      limitPerMinute: 3,
    });
    const checks = ["key:a", "key:b", "key:a", "key:a", "key:a"].map((key) => limiter.check(key));
    // Nothing is counted before the turn's I/O is done; then all of them, in call order.
    expect(seen).toEqual([]);
    const results = await Promise.all(checks);
    expect(seen).toEqual(["rl:key:a", "rl:key:b", "rl:key:a", "rl:key:a", "rl:key:a"]);
    expect(results.map((result) => [result.allowed, result.remaining])).toEqual([
      [true, 2],
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
  });

  it("a store failure fails only the checks it hit", async () => {
    const backend = memoryBackend();
    const limiter = createRateLimiter({
      counters: {
        increment: (key, windowMs) =>
          key.endsWith("broken")
            ? Promise.reject(new Error("store down"))
            : backend.counters.increment(key, windowMs),
      },
      limitPerMinute: 5,
    });
    const [ok, broken, alsoOk] = await Promise.allSettled([
      limiter.check("key:fine"),
      limiter.check("key:broken"),
      limiter.check("key:fine"),
    ]);
    expect(ok).toMatchObject({ status: "fulfilled", value: { allowed: true, remaining: 4 } });
    expect(broken).toMatchObject({ status: "rejected", reason: { message: "store down" } });
    expect(alsoOk).toMatchObject({ status: "fulfilled", value: { allowed: true, remaining: 3 } });
  });
});
