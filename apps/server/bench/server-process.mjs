/**
 * The server under test, in its own process (so its RSS is the server's alone: the test IdPs, the
 * baseline server and the load generator live elsewhere). Forked by http.bench.ts with
 * `--expose-gc`; the environment comes from the parent. BENCH_SERVER=dist runs the built server
 * (apps/server/dist, plain `node`, as deployed); otherwise the sources under tsx. Talks over IPC:
 *   → { cmd: "sessions", count, clientId }  ← { rssBytes, heapUsedBytes, seconds, burst: { rssBytes, heapUsedBytes } }
 *     (`burst`: right after the creates; the top level: BENCH_SETTLE_S seconds later, default 5)
 *   → { cmd: "memory" }                      ← { rssBytes, heapUsedBytes }
 *   → { cmd: "cpu" }                         ← { cpuMicros, systemMicros } (user + system, and system alone, since start)
 *   → { cmd: "close" }                       ← exits
 * BENCH_HEAP_SAMPLE=<path>: samples allocations (collected objects included) from start to close
 * and writes the V8 sampling heap profile to `<path>.<pid>.json` (one file per server process).
 */
import v8 from "node:v8";

const { startServer } =
  process.env.BENCH_SERVER === "dist" ? await import("../dist/index.js") : await import("../src/index.ts");

const gc = () => globalThis.gc?.();

function memory() {
  gc();
  gc();
  const usage = process.memoryUsage();
  if (process.env.BENCH_MEMORY_DETAIL) {
    console.error("[server memory]", JSON.stringify(usage));
    for (const space of v8.getHeapSpaceStatistics())
      console.error(
        `  ${space.space_name.padEnd(28)} size ${(space.space_size / 1048576).toFixed(1)} MB, used ${(space.space_used_size / 1048576).toFixed(1)} MB`,
      );
  }
  return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed };
}

const server = await startServer({
  env: process.env,
  port: Number(process.env.SCP_PORT),
  host: "127.0.0.1",
  // Request logs at info go through the default (production) destination to stdout, which the
  // bench points at /dev/null.
});
const send = (message) => process.send?.(message);

/** A sampling heap profile of everything allocated, garbage included (what GC cost comes from). */
async function startHeapSampling(path) {
  const { Session } = await import("node:inspector/promises");
  const session = new Session();
  session.connect();
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: 4096,
    includeObjectsCollectedByMinorGC: true,
    includeObjectsCollectedByMajorGC: true,
  });
  return async () => {
    const { profile } = await session.post("HeapProfiler.stopSampling");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(`${path}.${process.pid}.json`, JSON.stringify(profile));
  };
}
const stopHeapSampling = process.env.BENCH_HEAP_SAMPLE
  ? await startHeapSampling(process.env.BENCH_HEAP_SAMPLE)
  : undefined;
const SETTLE_MS = Number(process.env.BENCH_SETTLE_S ?? 5) * 1000;
process.on("message", async (message) => {
  try {
    if (message.cmd === "close") {
      await stopHeapSampling?.();
      await server.close();
      process.exit(0);
    }
    if (message.cmd === "memory") return send({ ok: true, ...memory() });
    if (message.cmd === "cpu") {
      const usage = process.cpuUsage();
      const elu = performance.eventLoopUtilization();
      return send({
        ok: true,
        cpuMicros: usage.user + usage.system,
        systemMicros: usage.system,
        mainActiveMicros: elu.active * 1000,
      });
    }
    const started = performance.now();
    // 100 creates in flight, like the 100 connections of the HTTP runs (1 000 at once mostly
    // measured the garbage of 1 000 concurrent creates, which V8 keeps as committed heap).
    const batch = 100;
    for (let i = 0; i < message.count; i += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, message.count - i) }, (_, j) =>
          server.pool.sessions.create({
            clientId: message.clientId,
            // Spread over 200 users: the pool caps live sessions at 1 000 per user.
            userId: `bench-user-${(i + j) % 200}`,
            agentId: `agent-${(i + j) % 100}`,
            ttlSeconds: 3600,
          }),
        ),
      );
    }
    const seconds = (performance.now() - started) / 1000;
    // Right after the burst the young generation is still at the size the burst grew it to (up to
    // 32 MB); V8's memory reducer gives it back once allocation stops. The settled reading is what
    // holding the sessions costs.
    const burst = memory();
    await new Promise((done) => setTimeout(done, SETTLE_MS));
    send({ ok: true, seconds, burst, ...memory() });
  } catch (error) {
    send({ ok: false, error: String(error) });
  }
});
send({ ok: true, ready: true, url: server.url });
