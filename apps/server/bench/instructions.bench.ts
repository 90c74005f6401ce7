/**
 * Instructions per request under callgrind: the bare node:http server, the Hono floor, the token
 * endpoint and GET /v1/session, each in its own process under `valgrind --tool=callgrind`, counted
 * over a fixed number of requests at 100 connections after an uncounted warm-up of as many.
 *
 *   pnpm exec tsx --conditions=@securecontext/source apps/server/bench/instructions.bench.ts
 *   (or `pnpm bench instructions`)
 *
 * Why: the throughput ratios of http.bench.ts are the targets, but on a shared two-core VM they
 * moved by a fifth between identical runs, more than most changes do. Instruction counts do not
 * depend on what else the machine is doing (the same code and input give the same count within
 * 1–2 %), so this says whether a change made the server's work smaller. It does not see cache
 * misses, GC copying or the kernel: a change that cuts instructions may still not be faster, and
 * the real check stays http.bench.ts. No targets; reported against the bare server of the same run.
 *
 * Env: BENCH_INSTR_REQUESTS (8000 per target), BENCH_ONLY ("token" | "session"). Skipped, with a
 * message, where valgrind is not installed. Results go to bench-results/instructions-<time>.json.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { adminKey, freePort, writeTempJson } from "../test/helpers/env";
import { providerConfig, startIdps } from "../test/helpers/idps";
import { type BenchRequest, benchRequests, ROW, resultsFile, runLoad, scpServerEnv } from "./setup";

const here = dirname(fileURLToPath(import.meta.url));
const REQUESTS = Number(process.env.BENCH_INSTR_REQUESTS ?? 8000);
const ONLY = process.env.BENCH_ONLY;

function hasValgrind(): boolean {
  try {
    execFileSync("valgrind", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A process under callgrind with counting off until `count` turns it on. */
async function underCallgrind(nodeArgs: string[], env: NodeJS.ProcessEnv, outDir: string) {
  const out = join(outDir, `callgrind.${Math.random().toString(36).slice(2)}.out`);
  const child: ChildProcess = spawn(
    "valgrind",
    [
      "--tool=callgrind",
      // V8 writes and rewrites machine code at run time.
      "--smc-check=all-non-file",
      "--instr-atstart=no",
      `--callgrind-out-file=${out}`,
      process.execPath,
      ...nodeArgs,
    ],
    { env, stdio: ["ignore", "ignore", "inherit", "ipc"] },
  );
  const ready = await new Promise<{ port?: number; url?: string }>((resolveReady, reject) => {
    child.once("exit", (code) => reject(new Error(`${nodeArgs.join(" ")} exited (${code}) under valgrind`)));
    child.on("message", (message: { ok?: boolean; ready?: boolean; port?: number; url?: string }) => {
      if (message.port !== undefined || message.ready) resolveReady(message);
    });
  });
  const control = (...flags: string[]) =>
    execFileSync("callgrind_control", [...flags, String(child.pid)], { stdio: "ignore" });
  return {
    ready,
    /** Instructions the process ran while `load` ran. */
    async count(load: () => Promise<number>): Promise<{ instructions: number; requests: number }> {
      control("-i", "on");
      const requests = await load();
      control("-i", "off");
      control("-d");
      const dumps = readdirSync(outDir).filter((name) => name.startsWith(`${out.split("/").pop()}.`));
      let instructions = 0;
      for (const dump of dumps) {
        const totals = /^totals: (\d+)/m.exec(readFileSync(join(outDir, dump), "utf8"));
        if (totals) instructions = Math.max(instructions, Number(totals[1]));
      }
      return { instructions, requests };
    },
    stop: () => child.kill("SIGKILL"),
  };
}

/** Runs `amount` requests at 100 connections; returns how many completed (all must be 2xx). */
async function load(request: BenchRequest, amount: number): Promise<number> {
  const result = await runLoad(request, { connections: 100, amount });
  if (result.non2xx > 0) throw new Error(`${request.url}: ${result.non2xx} answers were not 2xx`);
  return result.requests.total;
}

async function main() {
  const started = new Date();
  if (!hasValgrind()) {
    console.log("valgrind is not installed: skipping the instruction counts (apt-get install valgrind)");
    return;
  }
  const outDir = mkdtempSync(join(tmpdir(), "scp-callgrind-"));
  const rows: Array<{ name: string; instructionsPerRequest: number; requests: number }> = [];
  const measure = async (
    name: string,
    target: Awaited<ReturnType<typeof underCallgrind>>,
    request: BenchRequest,
  ) => {
    await load(request, REQUESTS); // warm-up: the JIT optimizes the hot paths first
    const { instructions, requests } = await target.count(() => load(request, REQUESTS));
    rows.push({ name, instructionsPerRequest: instructions / requests, requests });
  };
  try {
    for (const mode of ["bare", "hono"] as const) {
      const floor = await underCallgrind([join(here, "floor-process.mjs"), mode], process.env, outDir);
      try {
        await measure(ROW[mode], floor, { url: `http://127.0.0.1:${floor.ready.port}/` });
      } finally {
        floor.stop();
      }
    }

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const idps = await startIdps({ redirectUris: [`${url}/oauth/callback`] });
    const admin = adminKey();
    const server = await underCallgrind(
      [join(here, "server-process.mjs")],
      {
        ...process.env,
        BENCH_SERVER: "dist",
        ...scpServerEnv({
          store: "memory:",
          port,
          adminKey: admin,
          configPath: writeTempJson("scp-config.json", providerConfig(idps)),
        }),
      },
      outDir,
    );
    try {
      const requests = await benchRequests(url, admin);
      if (!ONLY || ONLY === "token") await measure(ROW.token, server, requests.token);
      if (!ONLY || ONLY === "session") await measure(ROW.session, server, requests.session);
    } finally {
      server.stop();
      await idps.stop();
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }

  const bare = rows[0]?.instructionsPerRequest ?? Number.NaN;
  console.log(`\ncallgrind, ${REQUESTS} requests per target at 100 connections, Node ${process.version}\n`);
  console.log(`${"run".padEnd(44)}${"k instructions/request".padStart(24)}${"vs bare".padStart(10)}`);
  for (const row of rows)
    console.log(
      `${row.name.padEnd(44)}${(row.instructionsPerRequest / 1000).toFixed(1).padStart(24)}${`${(row.instructionsPerRequest / bare).toFixed(2)}×`.padStart(10)}`,
    );
  const file = resultsFile("instructions", started);
  writeFileSync(file, JSON.stringify({ node: process.version, requestsPerTarget: REQUESTS, rows }, null, 2));
  console.log(`\nresults written to ${file}`);
}

await main();
process.exit(0);
