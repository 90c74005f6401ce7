import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminKey, encryptionKey, uniq } from "./helpers/env";
import { createClient } from "./helpers/flows";
import { api, isProblem } from "./helpers/http";
import { redisNamespace } from "./helpers/redis";
import { startTestServer, type TestServer } from "./helpers/server";

/** SCP_RATE_LIMIT=5: the 6th request in a minute is refused, and two instances on one Redis share the budget. */

function expectLimited(response: Awaited<ReturnType<typeof api>>) {
  expect(response.status, response.text).toBe(429);
  expect(isProblem(response)).toBe(true);
  expect((response.json as { code: string }).code).toBe("rate_limited");
  const retryAfter = Number(response.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(response.headers.get("ratelimit-limit")).toBe("5");
  expect(response.headers.get("ratelimit-remaining")).toBe("0");
  expect(Number(response.headers.get("ratelimit-reset"))).toBeGreaterThanOrEqual(0);
}

describe("rate limits on one instance", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { SCP_RATE_LIMIT: "5" } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("answers the 6th request of a key within a minute with 429 and headers", async () => {
    const client = await createClient(server.url, server.adminKey, { name: uniq("rl-") });
    const remaining: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await api(server.url, "GET", "/v1/connections", { token: client.apiKey });
      expect(response.status, `request ${i + 1}`).toBe(200);
      expect(response.headers.get("ratelimit-limit")).toBe("5");
      remaining.push(response.headers.get("ratelimit-remaining") ?? "");
    }
    expect(remaining).toEqual(["4", "3", "2", "1", "0"]);
    expectLimited(await api(server.url, "GET", "/v1/connections", { token: client.apiKey }));
    // Another key has its own budget.
    const other = await createClient(server.url, server.adminKey, { name: uniq("rl-") });
    expect((await api(server.url, "GET", "/v1/connections", { token: other.apiKey })).status).toBe(200);
  });

  it("limits browser routes per IP", async () => {
    const created = await api<{ url: string }>(server.url, "POST", "/v1/connect-requests", {
      token: server.adminKey,
      body: { userId: uniq("rl-browser-"), providerId: "google" },
    });
    expect(created.status, created.text).toBe(201);
    const path = new URL(created.json.url).pathname;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await api(server.url, "GET", path)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

describe("rate limits shared by two instances on one Redis", () => {
  // Redis database 14 is this file's own; keys also carry a unique prefix.
  const redis = redisNamespace(14);
  let one: TestServer;
  let two: TestServer;
  beforeAll(async () => {
    const env = {
      SCP_STORE: redis.url,
      SCP_REDIS_PREFIX: redis.prefix,
      SCP_ADMIN_KEY: adminKey(),
      SCP_ENCRYPTION_KEYS: encryptionKey(),
      SCP_RATE_LIMIT: "5",
    };
    [one, two] = await Promise.all([startTestServer({ env }), startTestServer({ env })]);
  });
  afterAll(async () => {
    await Promise.allSettled([one?.close(), two?.close()]);
    await redis.cleanup();
  });

  it("a key's budget is spent across both instances", async () => {
    const client = await createClient(one.url, one.adminKey, { name: uniq("rl-shared-") });
    for (const [index, instance] of [one, two, one, two, one].entries()) {
      const response = await api(instance.url, "GET", "/v1/connections", { token: client.apiKey });
      expect(response.status, `request ${index + 1}`).toBe(200);
    }
    expectLimited(await api(two.url, "GET", "/v1/connections", { token: client.apiKey }));
    expectLimited(await api(one.url, "GET", "/v1/connections", { token: client.apiKey }));
  });

  it("an IP's browser budget is spent across both instances", async () => {
    const created = await api<{ url: string }>(one.url, "POST", "/v1/connect-requests", {
      token: one.adminKey,
      body: { userId: uniq("rl-browser-"), providerId: "google" },
    });
    expect(created.status, created.text).toBe(201);
    const path = new URL(created.json.url).pathname;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1)
      statuses.push((await api(i % 2 === 0 ? one.url : two.url, "GET", path)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});
