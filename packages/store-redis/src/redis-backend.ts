import { StoreError } from "@securecontext/protocol";
import type { StoreBackend } from "@securecontext/token-store";
import type { RedisClientLike } from "./client";
import { keyLayout } from "./keys";
import { redisCaller } from "./redis-call";
import { redisCounters, redisLocks } from "./redis-locks";
import { redisPubSub } from "./redis-pubsub";
import { redisRecords } from "./redis-records";

/** Options of {@link redisBackend}. */
export interface RedisBackendOptions {
  /**
   * A connected node-redis 5 client (`createClient` from "redis"). The backend never closes it.
   * Recommended client options: `disableOfflineQueue: true` and a `socket.reconnectStrategy`
   * that backs off (for example `(retries) => Math.min(retries * 100, 2000)`); give it an `error`
   * listener, as node-redis requires.
   */
  client: RedisClientLike;
  /** Key and channel prefix (default `"scp:"`). Use one per deployment or test run. */
  prefix?: string;
  /**
   * Deadline for each command in ms (default 2000). A call that exceeds it, or runs while the
   * client is disconnected, rejects with `StoreError`.
   */
  commandTimeoutMs?: number;
  /** SCAN COUNT hint for `list` (default 500). */
  scanCount?: number;
  /** Clock for lease and counter `expiresAt`/`resetAt` (default `Date.now`). */
  now?: () => number;
  /** Receives errors of the subscriber connection (default: ignored; it reconnects by itself). */
  onSubscriberError?: (error: Error) => void;
}

/**
 * A `StoreBackend` on Redis, for many server instances sharing state: records with atomic
 * versioned writes (Lua), `GETDEL` takeOnce, leases with owner tokens and fencing, fixed-window
 * counters and pub/sub. Every failure (refused connection, Redis down mid-call, timeout) rejects
 * with `StoreError`, whose message never contains credentials.
 *
 * Redis Cluster: keys are hash-tagged (`prefix{key}:r`, `prefix{key}:l`, `prefix{key}:f`), so each
 * script touches a single slot. `list` SCANs the node the client talks to, so on Cluster either put
 * a hash tag in the prefix (`"scp:{tenant1}:"`, one slot for everything) or avoid `list`.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { redisBackend } from "@securecontext/store-redis";
 *
 * const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
 * client.on("error", () => {});
 * await client.connect();
 * const backend = redisBackend({ client, prefix: "scp:" });
 * const lease = await backend.locks.acquire("refresh:con_1", 30_000);
 * ```
 */
export function redisBackend(options: RedisBackendOptions): StoreBackend {
  const { client } = options;
  const now = options.now ?? Date.now;
  const keys = keyLayout(options.prefix ?? "scp:");
  let closed = false;
  const check = () => {
    if (closed) throw new StoreError("Redis store is closed");
  };
  const call = redisCaller(client, check, options.commandTimeoutMs ?? 2000);
  const pubsub = redisPubSub(client, call, keys, options.onSubscriberError ?? (() => {}));
  const close = async () => {
    if (closed) return;
    closed = true;
    await pubsub.close();
  };
  return {
    kind: "redis",
    records: redisRecords(call, keys, { now, scanCount: options.scanCount ?? 500, close }),
    locks: redisLocks(call, keys, now),
    counters: redisCounters(call, keys, now),
    pubsub: {
      publish: (channel, message) => pubsub.publish(channel, message),
      subscribe: (channel, handler) => {
        check();
        return pubsub.subscribe(channel, handler);
      },
    },
    async ping() {
      await call.command("ping", ["PING"]);
    },
    close,
  } satisfies StoreBackend;
}
