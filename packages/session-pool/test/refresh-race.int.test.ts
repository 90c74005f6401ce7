import type { TestIdp } from "@securecontext/testing";
import { createKeyRing, generateKey, type StoreBackend } from "@securecontext/token-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThroughPool, microsoftFor, REDIRECT_URI, startIdp } from "./helpers/idp";
import { poolFixture } from "./helpers/pool-fixture";
import { REDIS_URL, testRedisBackend } from "./helpers/redis-backend";
import { tokenRecords } from "./helpers/token-records";
import { spawnWorker, type Worker } from "./helpers/workers";

describe("exactly-once refresh across processes sharing Redis (microsoft profile, rotation + reuse detection)", () => {
  let idp: TestIdp;
  let backend: StoreBackend & { cleanup(): Promise<void> };
  const prefix = `test:${Math.random().toString(36).slice(2)}:`;
  const keys = [generateKey("k1")];
  const keyRing = createKeyRing({ keys });
  const workers: Worker[] = [];

  beforeAll(async () => {
    idp = await startIdp("microsoft");
    backend = await testRedisBackend({ url: REDIS_URL, prefix });
  });
  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill("SIGKILL");
    await backend?.cleanup();
    await backend?.close();
    await idp?.stop();
  });

  const workerConfig = (connectionId: string, extra: Record<string, unknown> = {}) => ({
    redisUrl: REDIS_URL,
    prefix,
    keys,
    issuer: idp.issuer,
    apiBaseUrl: idp.apiBaseUrl,
    connectionId,
    calls: 125,
    mode: "race",
    lockTtlMs: 10_000,
    ...extra,
  });

  async function expiredConnection(userId: string, user: string) {
    const { pool } = poolFixture([microsoftFor(idp)], { backend, keyRing, redirectUri: REDIRECT_URI });
    const connectionId = await connectThroughPool(pool, { userId, user });
    await pool.close();
    const tokens = tokenRecords(backend, keyRing);
    await tokens.expire(connectionId);
    return { connectionId, tokens };
  }

  it("500 concurrent getAccessToken calls from 4 processes → exactly 1 refresh grant, 0 reuse, one token", async () => {
    const { connectionId, tokens } = await expiredConnection("race-user", "alice@example.test");
    const before = await tokens.read(connectionId);
    const started = Array.from({ length: 4 }, () => spawnWorker(workerConfig(connectionId)));
    workers.push(...started);
    await Promise.all(started.map((w) => w.waitFor("ready")));
    idp.resetStats();
    for (const worker of started) worker.go();
    const results = await Promise.all(started.map((w) => w.result()));

    expect(results.flatMap((r) => r.errors)).toEqual([]);
    const all = results.flatMap((r) => r.tokens);
    expect(all).toHaveLength(500);
    expect(new Set(all).size).toBe(1);
    expect(idp.stats().refreshGrants).toBe(1);
    expect(idp.stats().refreshReuseDetections).toBe(0);
    const after = await tokens.read(connectionId);
    expect(after?.accessToken).toBe(all[0]);
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
  });

  it("a process SIGKILLed while holding the refresh lease → another refreshes after the lease lapses; newest refresh token stored; no grant revoked", async () => {
    const { connectionId, tokens } = await expiredConnection("kill-user", "bob@example.test");
    idp.resetStats();
    const lockTtlMs = 1_500;
    const stalled = spawnWorker(workerConfig(connectionId, { mode: "stall", calls: 1, lockTtlMs }));
    workers.push(stalled);
    await stalled.waitFor("ready");
    stalled.go();
    await stalled.waitFor("stalled"); // it holds the lease and is "inside" provider.refresh

    const survivor = spawnWorker(workerConfig(connectionId, { calls: 20, lockTtlMs }));
    workers.push(survivor);
    await survivor.waitFor("ready");
    survivor.go();
    // The survivor must be waiting on the lease, not refreshing, while the holder lives.
    await new Promise((resolve) => setTimeout(resolve, 2 * lockTtlMs));
    expect(idp.stats().refreshGrants).toBe(0);
    const killedAt = Date.now();
    stalled.child.kill("SIGKILL");

    const result = await survivor.result();
    expect(result.errors).toEqual([]);
    expect(new Set(result.tokens).size).toBe(1);
    expect(Date.now() - killedAt).toBeLessThan(lockTtlMs + 5_000);
    expect(idp.stats().refreshGrants).toBe(1);
    expect(idp.stats().refreshReuseDetections).toBe(0);

    // The stored refresh token is the newest: using it again works and is not a reuse.
    const { pool } = poolFixture([microsoftFor(idp)], { backend, keyRing, redirectUri: REDIRECT_URI });
    const forced = await pool.getAccessToken(connectionId, { forceRefresh: true });
    expect(forced.accessToken).not.toBe(result.tokens[0]);
    expect(idp.stats().refreshGrants).toBe(2);
    expect(idp.stats().refreshReuseDetections).toBe(0);
    expect((await pool.connections.get(connectionId))?.status).toBe("active");
    expect((await tokens.read(connectionId))?.accessToken).toBe(forced.accessToken);
    await pool.close();
  });
});
