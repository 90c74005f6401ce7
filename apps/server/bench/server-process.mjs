/**
 * The server under test, in its own process (so its RSS is the server's alone: the test IdPs, the
 * baseline server and the load generator live elsewhere). Forked by http.bench.ts with
 * `--expose-gc`; the environment comes from the parent. BENCH_SERVER=dist runs the built server
 * (apps/server/dist, plain `node`, as deployed); otherwise the sources under tsx. Talks over IPC:
 *   → { cmd: "sessions", count, clientId }  ← { rssBytes, heapUsedBytes, seconds }
 *   → { cmd: "memory" }                      ← { rssBytes, heapUsedBytes }
 *   → { cmd: "cpu" }                         ← { cpuMicros, systemMicros } (user + system, and system alone, since start)
 *   → { cmd: "close" }                       ← exits
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
process.on("message", async (message) => {
  try {
    if (message.cmd === "close") {
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
    send({ ok: true, seconds: (performance.now() - started) / 1000, ...memory() });
  } catch (error) {
    send({ ok: false, error: String(error) });
  }
});
send({ ok: true, ready: true, url: server.url });
