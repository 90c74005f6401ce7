/**
 * Session pool benchmark: session-token verification and getAccessToken on a warm connection,
 * against a bare `Map.get` baseline measured in the same run (ratios, not absolute numbers, are
 * what to compare across machines), plus heap per 100 000 sessions on the memory store.
 *
 *   pnpm exec tsx --conditions=@securecontext/source packages/session-pool/bench/pool.bench.ts
 *   (add --expose-gc through NODE_OPTIONS for steadier memory numbers; `pnpm bench` does)
 */
import { createKeyRing, generateKey, memoryBackend, type StoreBackend } from "@securecontext/token-store";
import { Bench } from "tinybench";
import { createSessionPool } from "../src";
import type { SessionPool } from "../src/types";
import { fakeProvider } from "../test/helpers/fake-provider";
import { REDIS_URL, testRedisBackend } from "../test/helpers/redis-backend";

const TOKENS = 1_000;

async function makePool(backend: StoreBackend, cacheMax?: number) {
  const provider = fakeProvider();
  const pool = createSessionPool({
    backend,
    keyRing: createKeyRing({ keys: [generateKey("k1")] }),
    providers: { get: (id) => (id === provider.id ? provider : undefined), list: () => [provider] },
    redirectUri: "http://bench.test/oauth/callback",
    baseUrl: "http://bench.test",
    sessionCaps: {},
    ...(cacheMax ? { sessionCache: { max: cacheMax } } : {}),
  });
  const connection = await pool.connections.create({
    userId: "bench-user",
    providerId: provider.id,
    clientId: null,
    account: { subject: "bench" },
    tokenSet: provider.issue("bench", ["openid", "items.read"]),
  });
  const tokens: string[] = [];
  for (let i = 0; i < TOKENS; i++) {
    tokens.push(
      (await pool.sessions.create({ clientId: null, userId: `u${i % 50}`, ttlSeconds: 3600 })).token,
    );
  }
  return { pool, connectionId: connection.id, tokens };
}

function cycle<T>(items: T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length]!;
}

async function main() {
  const bench = new Bench({ time: 1_500, warmup: true });
  const map = new Map<string, { id: string }>();
  const baselineKeys: string[] = [];
  for (let i = 0; i < 100_000; i++) {
    const key = `scp_st_${i.toString(36).padStart(43, "0")}`;
    map.set(key, { id: `ses_${i}` });
    if (i % 100 === 0) baselineKeys.push(key);
  }
  const nextBaseline = cycle(baselineKeys);
  bench.add("baseline: Map.get", () => {
    if (!map.get(nextBaseline())) throw new Error("miss");
  });

  const memory = await makePool(memoryBackend({ sweepIntervalMs: 0 }));
  const nextMemoryToken = cycle(memory.tokens);
  bench.add("verify (LRU hit, memory store)", async () => {
    if (!(await memory.pool.sessions.verify(nextMemoryToken()))) throw new Error("invalid");
  });
  const uncached = await makePool(memoryBackend({ sweepIntervalMs: 0 }), 1);
  const nextUncached = cycle(uncached.tokens);
  bench.add("verify (LRU miss → memory store)", async () => {
    if (!(await uncached.pool.sessions.verify(nextUncached()))) throw new Error("invalid");
  });
  bench.add("getAccessToken warm (memory store)", async () => {
    await memory.pool.getAccessToken(memory.connectionId);
  });

  let redis:
    | { pool: SessionPool; connectionId: string; tokens: string[]; close(): Promise<void> }
    | undefined;
  try {
    const backend = await testRedisBackend({ url: REDIS_URL, prefix: `bench:${Date.now()}:` });
    const made = await makePool(backend);
    redis = {
      ...made,
      close: async () => {
        await made.pool.close();
        await backend.cleanup();
        await backend.close();
      },
    };
    const nextRedisToken = cycle(made.tokens);
    bench.add("verify (LRU hit, redis store)", async () => {
      if (!(await made.pool.sessions.verify(nextRedisToken()))) throw new Error("invalid");
    });
    bench.add("getAccessToken warm (redis store)", async () => {
      await made.pool.getAccessToken(made.connectionId);
    });
  } catch {
    console.log(`(redis at ${REDIS_URL} unreachable: redis rows skipped)`);
  }

  // Warm the LRU of the memory pool.
  for (const token of memory.tokens) await memory.pool.sessions.verify(token);
  if (redis) for (const token of redis.tokens) await redis.pool.sessions.verify(token);

  await bench.run();
  const baseline = bench.tasks[0]?.result?.throughput.mean ?? 1;
  const rows = bench.tasks.map((task) => {
    const result = task.result;
    const ops = result?.throughput.mean ?? 0;
    return {
      task: task.name,
      "ops/s": Math.round(ops).toLocaleString("en-US"),
      "p99 (µs)": ((result?.latency.p99 ?? 0) * 1000).toFixed(1),
      "× slower than Map.get": (baseline / ops).toFixed(1),
    };
  });
  console.table(rows);

  // Heap per 100 000 sessions (memory store: session record, token-hash pointer, three index entries).
  const gc = (globalThis as { gc?: () => void }).gc;
  const heap = () => {
    gc?.();
    return process.memoryUsage().heapUsed;
  };
  const sizing = await makePool(memoryBackend({ sweepIntervalMs: 0 }));
  const before = heap();
  for (let i = 0; i < 100_000; i++) {
    await sizing.pool.sessions.create({
      clientId: "cli_bench",
      userId: `user-${i % 1000}`,
      ttlSeconds: 3600,
    });
  }
  const after = heap();
  console.log(
    `memory: 100 000 sessions on the memory store → heapUsed +${((after - before) / 1024 / 1024).toFixed(1)} MiB ` +
      `(${Math.round((after - before) / 100_000)} bytes/session${gc ? "" : "; run with --expose-gc for a steadier figure"})`,
  );
  await Promise.all([memory.pool.close(), uncached.pool.close(), sizing.pool.close(), redis?.close()]);
}

await main();
process.exit(0);
