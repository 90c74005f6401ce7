import { createKeyRing, generateKey } from "@securecontext/token-store";
import { afterAll, describe, expect, it } from "vitest";
import { fakeProvider } from "./helpers/fake-provider";
import { poolFixture } from "./helpers/pool-fixture";
import { REDIS_URL, testRedisBackend } from "./helpers/redis-backend";

describe("session revocation across two pools sharing one Redis", () => {
  const prefix = `test:${Math.random().toString(36).slice(2)}:`;
  const opened: Array<Awaited<ReturnType<typeof testRedisBackend>>> = [];
  afterAll(async () => {
    await opened[0]?.cleanup();
    for (const backend of opened) await backend.close();
  });

  it("revoke on pool A → verify on pool B fails at once, though B had it cached", async () => {
    const keyRing = createKeyRing({ keys: [generateKey("k1")] });
    const backendA = await testRedisBackend({ url: REDIS_URL, prefix });
    const backendB = await testRedisBackend({ url: REDIS_URL, prefix });
    opened.push(backendA, backendB);
    const provider = fakeProvider();
    // A long cache age: only the pub/sub invalidation can make B notice in time.
    const cache = { maxAgeMs: 60_000 };
    const a = poolFixture([provider], { backend: backendA, keyRing, sessionCache: cache }).pool;
    const b = poolFixture([provider], { backend: backendB, keyRing, sessionCache: cache }).pool;

    const sessions = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        a.sessions.create({ clientId: null, userId: `u_${i}`, ttlSeconds: 600 }),
      ),
    );
    for (const { session, token } of sessions) expect((await b.sessions.verify(token))?.id).toBe(session.id);

    for (const { session, token } of sessions) {
      await a.sessions.revoke(session.id);
      // No sleep: the very next verify on B must already fail.
      expect(await b.sessions.verify(token)).toBeUndefined();
    }
    // Extensions propagate too.
    const live = await a.sessions.create({ clientId: null, userId: "u_live", ttlSeconds: 60 });
    await b.sessions.verify(live.token);
    const extended = await a.sessions.extend(live.session.id, 3600);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await b.sessions.verify(live.token))?.expiresAt).toBe(extended.expiresAt);
    await a.close();
    await b.close();
  });
});
