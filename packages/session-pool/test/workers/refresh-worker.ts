/**
 * A separate Node process sharing Redis with the test: builds its own pool and, on "go" from stdin,
 * makes `calls` concurrent getAccessToken calls, then prints one JSON line with the results.
 * Mode "stall": its provider's refresh never returns (the process holds the refresh lease while
 * "calling the provider") and it prints "stalled" — the test then SIGKILLs it.
 */

import { createInterface } from "node:readline";
import { createKeyRing, type KeyRingKey } from "@securecontext/token-store";
import { createSessionPool } from "../../src";
import { microsoftFor } from "../helpers/idp";
import { testRedisBackend } from "../helpers/redis-backend";

interface WorkerConfig {
  redisUrl: string;
  prefix: string;
  keys: KeyRingKey[];
  issuer: string;
  apiBaseUrl: string;
  connectionId: string;
  calls: number;
  mode: "race" | "stall";
  lockTtlMs: number;
  forceRefresh?: boolean;
}

const config = JSON.parse(process.env.SCP_WORKER_CONFIG ?? "{}") as WorkerConfig;
const backend = await testRedisBackend({ url: config.redisUrl, prefix: config.prefix });
const real = microsoftFor({ issuer: config.issuer, apiBaseUrl: config.apiBaseUrl });
const provider =
  config.mode === "stall"
    ? {
        ...real,
        refresh: () => {
          process.stdout.write("stalled\n");
          return new Promise<never>(() => {});
        },
      }
    : real;
const pool = createSessionPool({
  backend,
  keyRing: createKeyRing({ keys: config.keys }),
  providers: { get: (id) => (id === provider.id ? provider : undefined), list: () => [provider] },
  redirectUri: "http://127.0.0.1:9/oauth/callback",
  baseUrl: "http://127.0.0.1:9",
  lockTtlMs: config.lockTtlMs,
});

process.stdout.write("ready\n");
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() !== "go") continue;
  const results = await Promise.allSettled(
    Array.from({ length: config.calls }, () =>
      pool.getAccessToken(config.connectionId, config.forceRefresh ? { forceRefresh: true } : {}),
    ),
  );
  const tokens = results.flatMap((r) => (r.status === "fulfilled" ? [r.value.accessToken] : []));
  const errors = results.flatMap((r) =>
    r.status === "rejected" ? [`${(r.reason as Error).name}: ${(r.reason as Error).message}`] : [],
  );
  process.stdout.write(`${JSON.stringify({ tokens, errors })}\n`);
  break;
}
await pool.close();
await backend.close();
process.exit(0);
