/**
 * HTTP benchmark of the reference server, side by side with a bare `node:http` server in the same
 * run (the load generator shares the machine's cores, so only ratios mean something).
 *
 *   pnpm exec tsx --conditions=@securecontext/source --expose-gc apps/server/bench/http.bench.ts
 *   (or `pnpm bench http`)
 *
 * The server runs in its own process (bench/server-process.ts), so its RSS is the server's alone;
 * the test IdPs and the bare baseline server live in this process, autocannon in a third
 * (bench/load-process.mjs, which takes p50 and p99 to the microsecond, not autocannon's whole
 * milliseconds: the bare p99 is 2–3 ms, where whole milliseconds swing the ratio by a third). Each
 * round runs autocannon at 100 connections for BENCH_DURATION s (default 5) against (1) bare
 * node:http answering a constant JSON body, (2) the "Hono floor", the smallest Hono app answering
 * the same body (a reference row without a target: the framework's own cost), (3) POST
 * /v1/connections/:id/token on a warm connection, (4) session-authorized GET /v1/session; ratios
 * compare against the bare run of the same round. Then RSS of the server process with
 * BENCH_SESSIONS (default 100 000) live sessions (created in the server process through its pool,
 * 100 in flight), on the memory store (in a fresh process, not the one the HTTP runs filled with
 * audit events) and on the default file store (SQLite): read BENCH_SETTLE_S (default 5) seconds
 * after the last create, when V8 has given back the young generation the burst grew (the reading
 * right after the burst is reported beside it). Prints a summary with the targets and
 * PASS/MISS (INFO for the reference row) and writes the results to bench-results/http-<time>.json.
 *
 * Env: BENCH_ROUNDS (2), BENCH_DURATION (5), BENCH_WARMUP (3: seconds of unmeasured load on every
 * target before the first round), BENCH_SESSIONS (100000), BENCH_STORES ("memory,file"),
 * BENCH_ONLY ("token" | "session": one HTTP target), BENCH_SERVER ("dist": the built server under
 * plain node, the default when apps/server/dist exists; "source": src under tsx, whose loader
 * thread alone adds ~30 MB RSS), BENCH_PROFILE (a directory: write a CPU profile of the server
 * process there), BENCH_HTTP_STORE ("memory" | "file": the store of the HTTP runs),
 * BENCH_CONNECTIONS (100), BENCH_NODE_FLAGS, BENCH_LOG_LEVEL, BENCH_RATE_LIMIT (experiments),
 * BENCH_MEMORY_DETAIL=1 (V8 heap spaces of the server on stderr), BENCH_SETTLE_S (5),
 * BENCH_STDOUT=1 (the server's stdout here instead of /dev/null: for `--trace-gc` in
 * BENCH_NODE_FLAGS, with BENCH_LOG_LEVEL=warn), BENCH_HEAP_SAMPLE=<path> (sampling heap profile of
 * every allocation, garbage included, per server process: see server-process.mjs).
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { adminKey, freePort, writeTempJson } from "../test/helpers/env";
import { createClient } from "../test/helpers/flows";
import { providerConfig, startIdps } from "../test/helpers/idps";
import { floorListener } from "./floor-servers.mjs";
import { type BenchRequest, benchRequests, ROW, resultsFile, runLoad, scpServerEnv } from "./setup";

const here = dirname(fileURLToPath(import.meta.url));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** Seconds of unmeasured load on every target before the first round (JIT warm-up). */
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 3);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 100_000);
const STORES = (process.env.BENCH_STORES ?? "memory,file").split(",").filter(Boolean);
const ONLY = process.env.BENCH_ONLY;
/** The store the HTTP runs use (the others only get the memory row). */
const HTTP_STORE = process.env.BENCH_HTTP_STORE ?? "memory";
/**
 * `dist`: the built server under plain node, as deployed (the default when a build exists: `pnpm
 * bench` builds first); `source`: src under tsx (its loader thread alone adds ~30 MB of RSS).
 */
const SERVER_MODE =
  process.env.BENCH_SERVER === "source" ||
  (process.env.BENCH_SERVER !== "dist" && !existsSync(join(here, "../dist/index.js")))
    ? "source"
    : "dist";

const TARGET = { throughput: 0.4, p99: 2.5, rssBytes: 200 * 1024 * 1024 };

interface Measured {
  name: string;
  round: number;
  rps: number;
  /** Latency percentiles in ms to the microsecond (load-process.mjs). */
  p50: number;
  p99: number;
  latencyMs?: Record<string, number>;
  /** autocannon's own latency percentiles, in whole ms, for the results file. */
  latency?: Record<string, number>;
  non2xx: number;
  errors: number;
  /** Requests completed in the run. */
  total: number;
  /** CPU time (user + system) the server process spent per request, µs; absent for the bare server. */
  serverCpuUs?: number;
  /** The kernel's share of it (system time), µs. */
  serverSystemUs?: number;
  /** Time the server's main thread was busy (event-loop utilization), µs per request. */
  serverMainUs?: number;
}

/** One measured run of `request` (autocannon in bench/load-process.mjs). */
async function autocannon(
  name: string,
  round: number,
  request: BenchRequest,
  durationS = DURATION_S,
): Promise<Measured> {
  const result = await runLoad(request, { connections: CONNECTIONS, durationS });
  return {
    name,
    round,
    rps: result.requests.average,
    p50: result.latencyMs.p50,
    p99: result.latencyMs.p99,
    latencyMs: result.latencyMs,
    latency: result.latency,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  };
}

async function listening(listener: RequestListener) {
  const server = createServer(listener);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

interface Reply {
  ok: boolean;
  error?: string;
  url?: string;
  rssBytes?: number;
  heapUsedBytes?: number;
  burst?: { rssBytes: number; heapUsedBytes: number };
  seconds?: number;
  cpuMicros?: number;
  systemMicros?: number;
  mainActiveMicros?: number;
}

/** The server under test in a child process, with a request/reply helper over IPC. */
async function serverProcess(env: Record<string, string>) {
  const child: ChildProcess = fork(join(here, "server-process.mjs"), [], {
    env: { ...process.env, ...env, BENCH_SERVER: SERVER_MODE },
    execArgv: [
      ...(SERVER_MODE === "dist"
        ? ["--expose-gc"]
        : ["--import", "tsx", "--conditions=@securecontext/source", "--expose-gc"]),
      // BENCH_NODE_FLAGS: extra node/V8 flags for the server process (for experiments).
      ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(" ").filter(Boolean) : []),
      // BENCH_PROFILE=<dir>: a V8 CPU profile of the server process, written when it exits.
      ...(process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
    ],
    stdio: ["ignore", process.env.BENCH_STDOUT ? "inherit" : "ignore", "inherit", "ipc"],
  });
  const next = () =>
    new Promise<Reply>((resolveReply, reject) => {
      const onExit = (code: number | null) => reject(new Error(`server process exited (${code})`));
      child.once("exit", onExit);
      child.once("message", (message: Reply) => {
        child.off("exit", onExit);
        if (!message.ok) reject(new Error(message.error));
        else resolveReply(message);
      });
    });
  await next();
  return {
    ask(message: unknown): Promise<Reply> {
      const reply = next();
      child.send(message as never);
      return reply;
    },
    /** Runs `load` and adds the server's CPU time per request it completed. */
    async measure(load: () => Promise<Measured>): Promise<Measured> {
      const before = await this.ask({ cmd: "cpu" });
      const result = await load();
      const after = await this.ask({ cmd: "cpu" });
      const per = (field: "cpuMicros" | "systemMicros" | "mainActiveMicros") =>
        ((after[field] ?? 0) - (before[field] ?? 0)) / Math.max(result.total, 1);
      return {
        ...result,
        serverCpuUs: per("cpuMicros"),
        serverSystemUs: per("systemMicros"),
        serverMainUs: per("mainActiveMicros"),
      };
    },
    async close() {
      const exited = new Promise((done) => child.once("exit", done));
      child.send({ cmd: "close" });
      await Promise.race([exited, new Promise((done) => setTimeout(done, 10_000))]);
      if (child.exitCode === null) child.kill();
    },
  };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const range = (values: number[], digits: number, unit = "") => {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo.toFixed(digits) === hi.toFixed(digits)
    ? `${lo.toFixed(digits)}${unit}`
    : `${lo.toFixed(digits)}–${hi.toFixed(digits)}${unit}`;
};

async function main() {
  const started = new Date();
  const load = loadavg();
  const ports = Object.fromEntries(
    await Promise.all(STORES.map(async (s) => [s, await freePort()] as const)),
  );
  const idps = await startIdps({
    redirectUris: Object.values(ports).map((port) => `http://127.0.0.1:${port}/oauth/callback`),
  });
  const configPath = writeTempJson("scp-config.json", providerConfig(idps));
  const dataDir = mkdtempSync(join(tmpdir(), "scp-bench-"));
  // The reference servers share this process (the bench's own, with the test IdPs).
  const bare = await listening(floorListener("bare"));
  const honoFloor = await listening(floorListener("hono"));
  const results: Measured[] = [];
  const memoryRows: Array<{
    store: string;
    idleRss: number;
    /** Right after the last create (young generation still grown). */
    burstRss: number;
    /** BENCH_SETTLE_S later: the row's reading. */
    rss: number;
    heapUsed: number;
    idleHeapUsed: number;
    seconds: number;
  }> = [];

  try {
    for (const store of STORES) {
      const port = ports[store] as number;
      const url = `http://127.0.0.1:${port}`;
      const admin = adminKey();
      const start = () =>
        serverProcess(
          scpServerEnv({
            store: store === "memory" ? "memory:" : `file:${join(dataDir, "scp.db")}`,
            port,
            adminKey: admin,
            configPath,
          }),
        );
      let server = await start();
      try {
        const requests = await benchRequests(url, admin);
        // Warm: the first token call decrypts and caches whatever the server caches.
        await fetch(requests.token.url, requests.token);

        // Throughput on one store (BENCH_HTTP_STORE, default memory); the others are about memory here.
        if (store === HTTP_STORE) {
          const targets: Array<{ name: string; request: BenchRequest; server?: boolean }> = [
            { name: ROW.bare, request: { url: bare.url } },
            { name: ROW.hono, request: { url: honoFloor.url } },
          ];
          if (!ONLY || ONLY === "token")
            targets.push({ name: ROW.token, request: requests.token, server: true });
          if (!ONLY || ONLY === "session")
            targets.push({ name: ROW.session, request: requests.session, server: true });
          // Every target runs once unmeasured first, so each round sees code the JIT has optimized
          // (the bare and Hono servers warm up in a fraction of the time the server's paths take).
          for (const target of targets)
            if (WARMUP_S > 0) await autocannon(target.name, 0, target.request, WARMUP_S);
          for (let round = 1; round <= ROUNDS; round++) {
            for (const target of targets) {
              const run = () => autocannon(target.name, round, target.request);
              results.push(await (target.server ? server.measure(run) : run()));
            }
          }
        }

        if (store === HTTP_STORE) {
          for (const r of results)
            console.log(
              `  ${r.name.padEnd(42)} round ${r.round}: ${r.rps.toFixed(0).padStart(7)} req/s, p99 ${r.p99.toFixed(2)} ms` +
                (r.serverCpuUs === undefined
                  ? ""
                  : `, server CPU ${r.serverCpuUs.toFixed(0)} µs/request (kernel ${(r.serverSystemUs ?? 0).toFixed(0)}, main thread busy ${(r.serverMainUs ?? 0).toFixed(0)})`),
            );
        }
        if (SESSIONS > 0) {
          let owner = requests.clientId;
          if (store === HTTP_STORE && results.length > 0) {
            // A fresh process: the HTTP runs left tens of thousands of audit events in its memory
            // store (and a grown heap), which are not what this row measures.
            await server.close();
            server = await start();
            owner = (await createClient(url, admin, { name: "Bench" })).id;
          }
          const idle = await server.ask({ cmd: "memory" });
          const after = await server.ask({ cmd: "sessions", count: SESSIONS, clientId: owner });
          memoryRows.push({
            store,
            idleRss: idle.rssBytes ?? 0,
            idleHeapUsed: idle.heapUsedBytes ?? 0,
            burstRss: after.burst?.rssBytes ?? 0,
            rss: after.rssBytes ?? 0,
            heapUsed: after.heapUsedBytes ?? 0,
            seconds: after.seconds ?? 0,
          });
        }
      } finally {
        await server.close();
      }
    }
  } finally {
    await bare.close();
    await honoFloor.close();
    await idps.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  // ---- report ----
  const lines: string[] = [];
  const say = (line = "") => {
    lines.push(line);
    console.log(line);
  };
  say(
    `\nautocannon: ${CONNECTIONS} connections, ${DURATION_S} s per run, ${ROUNDS} round(s), Node ${process.version}, server from ${SERVER_MODE}, ` +
      `load average at start ${load.map((n) => n.toFixed(2)).join(" ")}`,
  );
  say(
    `\n${"run".padEnd(44)} ${"round".padStart(5)} ${"req/s".padStart(9)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"non2xx".padStart(7)} ${"server CPU µs/req".padStart(18)}`,
  );
  for (const r of results) {
    say(
      `${r.name.padEnd(44)} ${String(r.round).padStart(5)} ${r.rps.toFixed(0).padStart(9)} ${r.p50.toFixed(2).padStart(7)} ${r.p99.toFixed(2).padStart(7)} ${String(r.non2xx + r.errors).padStart(7)} ${(r.serverCpuUs === undefined ? "—" : r.serverCpuUs.toFixed(0)).padStart(18)}`,
    );
  }

  /** `pass: null`: a reference row (INFO), no target. */
  const summary: Array<{
    metric: string;
    measured: string;
    target: string;
    pass: boolean | null;
    detail: string;
  }> = [];
  for (const name of [...new Set(results.map((r) => r.name))].filter((n) => !n.startsWith("bare"))) {
    const runs = results.filter((r) => r.name === name);
    const ratios = runs.map((r) => {
      const base = results.find((b) => b.round === r.round && b.name.startsWith("bare"));
      return {
        throughput: base ? r.rps / base.rps : 0,
        p99: base && base.p99 > 0 ? r.p99 / base.p99 : Number.POSITIVE_INFINITY,
        failed: r.non2xx + r.errors,
      };
    });
    const tputPass = ratios.filter((x) => x.throughput >= TARGET.throughput && x.failed === 0).length;
    const p99Pass = ratios.filter((x) => x.p99 <= TARGET.p99).length;
    const reference = name === ROW.hono;
    summary.push({
      metric: `${name}: throughput vs bare`,
      measured: range(
        ratios.map((x) => x.throughput * 100),
        0,
        " %",
      ),
      target: reference ? "none: the framework's own cost" : `≥ ${TARGET.throughput * 100} %`,
      pass: reference ? null : tputPass === ratios.length,
      detail: reference ? "" : `${tputPass}/${ratios.length} rounds`,
    });
    summary.push({
      metric: `${name}: p99 vs bare`,
      measured: range(
        ratios.map((x) => x.p99),
        2,
        "×",
      ),
      target: reference ? "none" : `≤ ${TARGET.p99}×`,
      pass: reference ? null : p99Pass === ratios.length,
      detail: reference ? "" : `${p99Pass}/${ratios.length} rounds`,
    });
  }
  for (const row of memoryRows) {
    summary.push({
      metric: `server RSS, ${SESSIONS} live sessions, ${row.store} store (settled)`,
      measured: mb(row.rss),
      target: `< ${mb(TARGET.rssBytes)}`,
      pass: row.rss < TARGET.rssBytes,
      detail:
        `idle ${mb(row.idleRss)}, ${mb(row.burstRss)} right after the creates; heap ${mb(row.idleHeapUsed)} → ${mb(row.heapUsed)} ` +
        `(${Math.round((row.heapUsed - row.idleHeapUsed) / Math.max(SESSIONS, 1))} B/session); created in ${row.seconds.toFixed(1)} s`,
    });
  }
  say("\nSUMMARY (ratios against the bare server of the same round; PASS needs every round)");
  const width = Math.max(...summary.map((s) => s.metric.length));
  for (const s of summary) {
    say(
      `${s.pass === null ? "INFO" : s.pass ? "PASS" : "MISS"}  ${s.metric.padEnd(width)}  ${s.measured.padStart(12)}  (target ${s.target})  ${s.detail}`,
    );
  }

  const file = resultsFile("http", started);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        startedAt: started.toISOString(),
        node: process.version,
        server: SERVER_MODE,
        loadAverageAtStart: load,
        connections: CONNECTIONS,
        durationSeconds: DURATION_S,
        rounds: ROUNDS,
        sessions: SESSIONS,
        targets: TARGET,
        runs: results,
        memory: memoryRows,
        summary,
      },
      null,
      2,
    )}\n`,
  );
  say(`\nresults written to ${file}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
