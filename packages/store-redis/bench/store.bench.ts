/**
 * get + compareAndSet throughput of memory, file and Redis stores against a bare Map.get baseline,
 * in one run. Needs Redis at REDIS_URL (default redis://127.0.0.1:6379); its keys are deleted after.
 * Run: node --import tsx --conditions=@securecontext/source packages/store-redis/bench/store.bench.ts
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileBackend, memoryBackend, type StoreBackend } from "@securecontext/token-store";
import { createClient } from "redis";
import { Bench } from "tinybench";
import { redisBackend } from "../src/index";

const value = {
  accessToken: "a".repeat(180),
  refreshToken: "r".repeat(120),
  expiresAt: Date.now() + 3_600_000,
};
const prefix = `bench:${randomBytes(4).toString("hex")}:`;
const client = createClient({
  url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  disableOfflineQueue: true,
});
client.on("error", () => {});
await client.connect();
const dir = mkdtempSync(join(tmpdir(), "scp-bench-"));
const backends: Array<[string, StoreBackend]> = [
  ["memory", memoryBackend()],
  ["file", fileBackend({ path: join(dir, "store.sqlite") })],
  ["redis", redisBackend({ client, prefix })],
];

const map = new Map([["con:1", value]]);
const bench = new Bench({ name: "stores: get / compareAndSet / lock", time: 500 });
bench.add("baseline: Map.get", () => {
  if (map.get("con:1") === undefined) throw new Error("missing");
});
for (const [name, backend] of backends) {
  const store = backend.records;
  await store.set("con:1", value);
  let version = (await store.get("con:1"))!.version;
  bench.add(`${name}: get`, async () => {
    if ((await store.get("con:1")) === undefined) throw new Error("missing");
  });
  bench.add(`${name}: compareAndSet`, async () => {
    const next = await store.compareAndSet("con:1", version, value);
    if (next === null) throw new Error("lost a race in a single-writer bench");
    version = next.version;
  });
  bench.add(`${name}: lock acquire+release`, async () => {
    const lease = await backend.locks.acquire("lock:1", 10_000);
    if (lease === null) throw new Error("lock held");
    await backend.locks.release("lock:1", lease.token);
  });
}
await bench.run();

const rows = bench.tasks.map((task) => {
  const result = task.result as { throughput?: { mean: number }; latency?: { p99?: number } } | undefined;
  return { name: task.name, ops: result?.throughput?.mean ?? 0, p99: result?.latency?.p99 ?? Number.NaN };
});
const baseline = rows[0]!.ops;
console.log("\nstores vs Map.get (ratio = baseline ops/s ÷ task ops/s, same run)");
console.table(
  rows.map((row, i) => ({
    task: row.name,
    "ops/s": Math.round(row.ops).toLocaleString("en-US"),
    "p99 (µs)": (row.p99 * 1000).toFixed(1),
    "× slower than baseline": i === 0 ? "baseline" : (baseline / row.ops).toFixed(1),
  })),
);

for (const [, backend] of backends) await backend.close();
for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 }))
  if (keys.length) await client.del(keys);
await client.close();
rmSync(dir, { recursive: true, force: true });
