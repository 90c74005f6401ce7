/**
 * HTTP benchmark of the reference server, side by side with a bare `node:http` server in the same
 * run (the load generator shares the machine's cores, so only ratios mean something).
 *
 *   pnpm exec tsx --conditions=@securecontext/source apps/server/bench/http.bench.ts
 *   (or `pnpm bench http`; add --expose-gc for steadier memory numbers)
 *
 * autocannon runs as a child process at 100 connections for 5 s per target against servers in this
 * process: (1) bare node:http answering a constant JSON body, (2) POST /v1/connections/:id/token on
 * a warm connection, (3) session-authorized GET /v1/session. Then RSS with 100 000 live sessions.
 */
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { startServer } from "../src/index";
import { adminKey, encryptionKey, freePort, writeTempJson } from "../test/helpers/env";
import { connect, createClient, createSession, GMAIL_READONLY } from "../test/helpers/flows";
import { providerConfig, startIdps } from "../test/helpers/idps";

const require = createRequire(import.meta.url);
const AUTOCANNON = require.resolve("autocannon/autocannon.js");
const CONNECTIONS = 100;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 100_000);

interface Measured {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

function autocannon(
  name: string,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Measured> {
  const args = [
    AUTOCANNON,
    "-c",
    String(CONNECTIONS),
    "-d",
    String(DURATION_S),
    "-j",
    "-m",
    options.method ?? "GET",
  ];
  for (const [key, value] of Object.entries(options.headers ?? {})) args.push("-H", `${key}=${value}`);
  if (options.body !== undefined) args.push("-b", options.body);
  args.push(url);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      if (error) return reject(error);
      const result = JSON.parse(stdout) as {
        requests: { average: number };
        latency: { p50: number; p99: number };
        non2xx: number;
        errors: number;
      };
      resolve({
        name,
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
      });
    });
  });
}

async function bareServer() {
  const body = JSON.stringify({ ok: true, message: "constant body", n: 42 });
  const server = createServer((_req, res) => {
    res
      .writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

async function main() {
  const results: Measured[] = [];

  const bare = await bareServer();
  results.push(await autocannon("bare node:http (constant JSON)", bare.url));
  await bare.close();

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const idps = await startIdps({ redirectUris: [`${url}/oauth/callback`] });
  const admin = adminKey();
  const server = await startServer({
    env: {
      SCP_STORE: "memory:",
      SCP_ADMIN_KEY: admin,
      SCP_ENCRYPTION_KEYS: encryptionKey(),
      SCP_CONFIG: writeTempJson("scp-config.json", providerConfig(idps)),
      SCP_ALLOW_INSECURE_HTTP: "true",
      SCP_LOG_LEVEL: "info",
      SCP_PORT: String(port),
      SCP_HOST: "127.0.0.1",
      SCP_BASE_URL: url,
      // Limiting stays on (its cost is part of every request) with a budget the run cannot exhaust.
      SCP_RATE_LIMIT: "1000000000",
      NODE_ENV: "production",
    },
    port,
    host: "127.0.0.1",
    // Request logs at info go to /dev/null through pino's async destination, as in production.
    logDestination: pino.destination({ dest: "/dev/null", sync: false }),
  });
  try {
    const client = await createClient(url, admin, { name: "Bench", allowTokenAccess: true });
    const userId = "bench-user";
    const { connectionId } = await connect(url, client.apiKey, userId, "google", {
      scopes: [GMAIL_READONLY],
    });
    const session = await createSession(url, client.apiKey, { userId, connectionIds: [connectionId] });
    // Warm: first token call decrypts and caches whatever the server caches.
    await fetch(`${url}/v1/connections/${connectionId}/token`, {
      method: "POST",
      headers: { authorization: `Bearer ${client.apiKey}`, "content-type": "application/json" },
      body: "{}",
    });

    results.push(
      await autocannon(
        "POST /v1/connections/:id/token (warm)",
        `${url}/v1/connections/${connectionId}/token`,
        {
          method: "POST",
          headers: { authorization: `Bearer ${client.apiKey}`, "content-type": "application/json" },
          body: "{}",
        },
      ),
    );
    results.push(
      await autocannon("GET /v1/session (session token)", `${url}/v1/session`, {
        headers: { authorization: `Bearer ${session.token}` },
      }),
    );

    const [base] = results;
    console.log(`\nautocannon: ${CONNECTIONS} connections, ${DURATION_S} s each, Node ${process.version}\n`);
    console.log(
      `${"target".padEnd(42)} ${"req/s".padStart(9)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"non2xx".padStart(7)}  vs bare`,
    );
    for (const r of results) {
      const ratio =
        r === base || !base
          ? ""
          : `throughput ${((r.rps / base.rps) * 100).toFixed(0)}% (target ≥ 40%), p99 ${(r.p99 / Math.max(base.p99, 1)).toFixed(2)}× (target ≤ 2.5×)`;
      console.log(
        `${r.name.padEnd(42)} ${r.rps.toFixed(0).padStart(9)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${String(r.non2xx + r.errors).padStart(7)}  ${ratio}`,
      );
    }

    // RSS with many live sessions, created through the pool the server uses.
    gc();
    const before = process.memoryUsage();
    const started = Date.now();
    const batch = 1_000;
    for (let i = 0; i < SESSIONS; i += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, SESSIONS - i) }, (_, j) =>
          server.pool.sessions.create({
            clientId: client.id,
            // Spread over 200 users: the pool caps live sessions at 1 000 per user.
            userId: `bench-user-${(i + j) % 200}`,
            agentId: `agent-${(i + j) % 100}`,
            ttlSeconds: 3600,
          }),
        ),
      );
    }
    const seconds = (Date.now() - started) / 1000;
    const probe = await server.pool.sessions.list({
      clientId: client.id,
      userId: "bench-user-7",
      limit: 200,
    });
    gc();
    const after = process.memoryUsage();
    console.log(
      `\n${SESSIONS} live sessions (200 users) created via the pool in ${seconds.toFixed(1)} s; one user lists ${probe.items.length}+` +
        `\n  RSS ${mb(before.rss)} → ${mb(after.rss)} (Δ ${mb(after.rss - before.rss)}; target total < 200 MB)` +
        `\n  heap used ${mb(before.heapUsed)} → ${mb(after.heapUsed)}` +
        `\n  (this process also holds three test IdPs; gc ${typeof (globalThis as { gc?: unknown }).gc === "function" ? "forced" : "not exposed: run with --expose-gc for steadier numbers"})`,
    );
  } finally {
    await server.close();
    await idps.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
