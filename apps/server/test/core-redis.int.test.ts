import { randomBytes } from "node:crypto";
import { ConfigError } from "@securecontext/protocol";
import { createClient } from "redis";
import { afterAll, describe, expect, it } from "vitest";
import { parseStoreSpec } from "../src/config";
import { type RunningServer, startServer } from "../src/index";

/**
 * Core: `SCP_STORE=redis://host:port/<db>?prefix=<p>` keeps each deployment's keys under its own
 * prefix, so several deployments (or test runs) share one Redis without seeing each other.
 */

const KEY = "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const ADMIN = "admin-key-for-tests-0123456789abcdef";
// Database 12 is this file's own (other suites use 13 and 14); keys also carry unique prefixes.
const DB_URL = `${(process.env.REDIS_URL ?? "redis://127.0.0.1:6379").replace(/\/\d*$/, "")}/12`;
const run = randomBytes(6).toString("hex");
const prefixOne = `core-test:${run}:one:`;
const prefixTwo = `core-test:${run}:two:`;

async function withRedis<T>(use: (client: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
  const client = createClient({ url: DB_URL });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

async function keysUnder(prefix: string): Promise<string[]> {
  return withRedis(async (client) => {
    const found: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) found.push(...batch);
    return found;
  });
}

const servers: RunningServer[] = [];
async function start(env: Record<string, string>): Promise<RunningServer> {
  const server = await startServer({
    env: {
      SCP_ADMIN_KEY: ADMIN,
      SCP_ENCRYPTION_KEYS: KEY,
      SCP_LOG_LEVEL: "silent",
      SCP_RATE_LIMIT: "0",
      NODE_ENV: "test",
      ...env,
    },
    port: 0,
    host: "127.0.0.1",
  });
  servers.push(server);
  return server;
}

afterAll(async () => {
  await Promise.allSettled(servers.map((server) => server.close()));
  const leftovers = [...(await keysUnder(prefixOne)), ...(await keysUnder(prefixTwo))];
  if (leftovers.length > 0) await withRedis((client) => client.del(leftovers));
});

describe("core: Redis key prefix", () => {
  it("parses prefix= out of the URL, takes SCP_REDIS_PREFIX, and rejects conflicts and bad prefixes", () => {
    expect(parseStoreSpec("redis://127.0.0.1:6379/2?prefix=myapp:")).toEqual({
      kind: "redis",
      url: "redis://127.0.0.1:6379/2",
      prefix: "myapp:",
    });
    expect(parseStoreSpec("redis://127.0.0.1:6379/2")).toMatchObject({ prefix: "scp:" });
    expect(parseStoreSpec("redis://127.0.0.1:6379", { redisPrefix: "env:" })).toMatchObject({
      prefix: "env:",
    });
    expect(parseStoreSpec("redis://h:6379?prefix=a:", { redisPrefix: "a:" })).toMatchObject({ prefix: "a:" });
    for (const bad of [
      () => parseStoreSpec("redis://h:6379?prefix=a:", { redisPrefix: "b:" }),
      () => parseStoreSpec("redis://h:6379?prefix=has%20space"),
      () => parseStoreSpec("redis://h:6379?prefix="),
      () => parseStoreSpec("redis://h:6379?prefix=a:&prefix=b:"),
    ]) {
      expect(bad).toThrow(ConfigError);
    }
  });

  it("keeps two deployments on one Redis database apart", async () => {
    const one = await start({ SCP_STORE: `${DB_URL}?prefix=${encodeURIComponent(prefixOne)}` });
    const created = await fetch(`${one.url}/v1/clients`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Prefixed" }),
    });
    expect(created.status).toBe(201);
    const { apiKey } = (await created.json()) as { apiKey: string };
    const listWith = (server: RunningServer) =>
      fetch(`${server.url}/v1/connections`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect((await listWith(one)).status).toBe(200);

    // Another deployment on the same database with its own prefix does not know the client.
    const two = await start({ SCP_STORE: `${DB_URL}?prefix=${encodeURIComponent(prefixTwo)}` });
    expect((await listWith(two)).status).toBe(401);
    // A second instance of the first deployment (prefix from SCP_REDIS_PREFIX) does.
    const oneAgain = await start({ SCP_STORE: DB_URL, SCP_REDIS_PREFIX: prefixOne });
    expect((await listWith(oneAgain)).status).toBe(200);

    expect((await keysUnder(prefixOne)).length).toBeGreaterThan(0);
    expect((await keysUnder(prefixTwo)).length).toBeGreaterThan(0);
    // Nothing landed under the default prefix in this database.
    expect(await keysUnder("scp:")).toEqual([]);
  });
});
