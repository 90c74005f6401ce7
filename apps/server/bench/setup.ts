/**
 * What the HTTP and instruction-count benches share, besides the reference servers (in
 * floor-servers.mjs): the environment the server under test runs with, the client, connection and
 * session every run uses, how load is driven, the names of the rows, and where results go.
 */
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { encryptionKey } from "../test/helpers/env";
import { connect, createClient, createSession, GMAIL_READONLY } from "../test/helpers/flows";

/** Row names, the same in every bench and results file. */
export const ROW = {
  bare: "bare node:http (constant JSON)",
  hono: "Hono floor (one route, constant JSON)",
  token: "POST /v1/connections/:id/token (warm)",
  session: "GET /v1/session (session token)",
} as const;

/** The environment of the server under test (bench/server-process.mjs). */
export function scpServerEnv(options: {
  store: string;
  port: number;
  adminKey: string;
  configPath: string;
}): Record<string, string> {
  const url = `http://127.0.0.1:${options.port}`;
  return {
    SCP_STORE: options.store,
    SCP_ADMIN_KEY: options.adminKey,
    SCP_ENCRYPTION_KEYS: encryptionKey(),
    SCP_CONFIG: options.configPath,
    SCP_ALLOW_INSECURE_HTTP: "true",
    SCP_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
    SCP_PORT: String(options.port),
    SCP_HOST: "127.0.0.1",
    SCP_BASE_URL: url,
    // Limiting stays on (its cost is part of every request) with a budget the run cannot exhaust.
    SCP_RATE_LIMIT: process.env.BENCH_RATE_LIMIT ?? "1000000000",
    NODE_ENV: "production",
  };
}

/** A request autocannon repeats. */
export interface BenchRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What bench/load-process.mjs prints: autocannon's result, and latency to the microsecond. */
export interface LoadResult {
  requests: { average: number; total: number };
  /** autocannon's own percentiles, in whole milliseconds. */
  latency: Record<string, number>;
  latencyMs: { p50: number; p99: number } & Record<string, number>;
  non2xx: number;
  errors: number;
}

/**
 * Repeats `request` over `connections` connections, for `durationS` seconds or `amount` requests,
 * with autocannon in its own process (bench/load-process.mjs).
 */
export function runLoad(
  request: BenchRequest,
  run: { connections: number } & ({ durationS: number } | { amount: number }),
): Promise<LoadResult> {
  const loadProcess = join(import.meta.dirname, "load-process.mjs");
  const argument = JSON.stringify({ ...request, ...run });
  return new Promise((resolveLoad, reject) => {
    execFile(process.execPath, [loadProcess, argument], { maxBuffer: 1 << 24 }, (error, stdout) => {
      if (error) reject(error);
      else resolveLoad(JSON.parse(stdout) as LoadResult);
    });
  });
}

/**
 * A client with token access, a google connection of `bench-user` made through the consent flow,
 * and a session on it: the token call and the session read every run measures.
 */
export async function benchRequests(
  url: string,
  adminKey: string,
): Promise<{ clientId: string; token: BenchRequest; session: BenchRequest }> {
  const client = await createClient(url, adminKey, { name: "Bench", allowTokenAccess: true });
  const userId = "bench-user";
  const { connectionId } = await connect(url, client.apiKey, userId, "google", { scopes: [GMAIL_READONLY] });
  const session = await createSession(url, client.apiKey, { userId, connectionIds: [connectionId] });
  return {
    clientId: client.id,
    token: {
      url: `${url}/v1/connections/${connectionId}/token`,
      method: "POST",
      headers: { authorization: `Bearer ${client.apiKey}`, "content-type": "application/json" },
      body: "{}",
    },
    session: { url: `${url}/v1/session`, headers: { authorization: `Bearer ${session.token}` } },
  };
}

/** `bench-results/<kind>-<time>.json` at the repository root (the folder is made if missing). */
export function resultsFile(kind: string, startedAt: Date): string {
  const dir = resolve(import.meta.dirname, "../../../bench-results");
  mkdirSync(dir, { recursive: true });
  return join(dir, `${kind}-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
}
