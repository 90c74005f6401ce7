/**
 * Redis store for SecureContext: records with atomic compare-and-set (Lua), takeOnce (`GETDEL`),
 * lease locks with owner tokens and fencing, fixed-window counters and pub/sub, on an injected
 * node-redis 5 client. Passes the `@securecontext/token-store/testing` conformance suite.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { redisBackend } from "@securecontext/store-redis";
 *
 * const client = createClient({
 *   url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
 *   disableOfflineQueue: true,
 *   socket: { reconnectStrategy: (retries) => Math.min(retries * 100, 2000) },
 * });
 * client.on("error", () => {}); // the backend reports failures as StoreError per call
 * await client.connect();
 *
 * const backend = redisBackend({ client, prefix: "scp:" });
 * const written = await backend.records.set("connection:con_1", { status: "active" });
 * await backend.records.compareAndSet("connection:con_1", written.version, { status: "revoked" });
 * const lease = await backend.locks.acquire("refresh:con_1", 30_000);
 * if (lease) await backend.locks.release("refresh:con_1", lease.token);
 * await backend.close(); // closes its subscriber connection, not your client
 * await client.close();
 * ```
 *
 * @packageDocumentation
 */
export type { RedisClientLike, RedisSubscriberLike } from "./client";
export { escapeGlob, type KeyLayout, keyLayout } from "./keys";
export { type RedisBackendOptions, redisBackend } from "./redis-backend";
export { redactCredentials } from "./redis-call";
