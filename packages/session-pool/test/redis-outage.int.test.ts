import { StoreError } from "@securecontext/protocol";
import type { TestIdp } from "@securecontext/testing";
import { createKeyRing, generateKey } from "@securecontext/token-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThroughPool, microsoftFor, REDIRECT_URI, startIdp } from "./helpers/idp";
import { poolFixture } from "./helpers/pool-fixture";
import { testRedisBackend } from "./helpers/redis-backend";
import { startRedisServer } from "./helpers/redis-server";
import { tokenRecords } from "./helpers/token-records";

describe("Redis outage mid-run", () => {
  let idp: TestIdp;
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  beforeAll(async () => {
    idp = await startIdp("microsoft");
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.remove();
    await idp?.stop();
  });

  it("fails with a clear StoreError while Redis is down, then recovers without data loss", async () => {
    const backend = await testRedisBackend({ url: redis.url, prefix: "scp-outage:" });
    const keyRing = createKeyRing({ keys: [generateKey("k1")] });
    const { pool } = poolFixture([microsoftFor(idp)], {
      backend,
      keyRing,
      redirectUri: REDIRECT_URI,
      storeTimeoutMs: 2_000,
    });
    const connectionId = await connectThroughPool(pool, {
      userId: "outage-user",
      user: "carol@example.test",
    });
    const { session, token } = await pool.sessions.create({
      clientId: null,
      userId: "outage-user",
      connectionIds: [connectionId],
      ttlSeconds: 3600,
    });
    const tokenBefore = await pool.getAccessToken(connectionId);

    await redis.kill();
    const started = Date.now();
    const failures = await Promise.all([
      pool.getAccessToken(connectionId).catch((e: unknown) => e),
      pool.sessions.get(session.id).catch((e: unknown) => e),
      pool.connections.list({ userId: "outage-user" }).catch((e: unknown) => e),
      pool.sessions
        .create({ clientId: null, userId: "outage-user", ttlSeconds: 60 })
        .catch((e: unknown) => e),
    ]);
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(StoreError);
      expect((failure as StoreError).status).toBe(503);
      expect((failure as StoreError).message).toMatch(/store|redis/i);
    }
    expect(Date.now() - started).toBeLessThan(5_000);

    await redis.restart();
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await backend.ping();
        break;
      } catch {
        if (Date.now() > deadline) throw new Error("client did not reconnect");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    // Everything written before the outage is still there.
    expect((await pool.connections.get(connectionId))?.status).toBe("active");
    expect((await pool.getAccessToken(connectionId)).accessToken).toBe(tokenBefore.accessToken);
    expect((await pool.sessions.verify(token))?.id).toBe(session.id);
    expect((await pool.connections.list({ userId: "outage-user" })).items).toHaveLength(1);
    // And the refresh path works again, without a reused refresh token.
    idp.resetStats();
    await tokenRecords(backend, keyRing, "scp:").expire(connectionId);
    const refreshed = await pool.getAccessToken(connectionId);
    expect(refreshed.accessToken).not.toBe(tokenBefore.accessToken);
    expect(idp.stats().refreshGrants).toBe(1);
    expect(idp.stats().refreshReuseDetections).toBe(0);
    await pool.close();
    await backend.close();
  });
});
