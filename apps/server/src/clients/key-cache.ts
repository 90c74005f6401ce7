import type { Client } from "@securecontext/protocol";
import type { PubSub } from "@securecontext/token-store";
import { LRUCache } from "lru-cache";

/** Options of {@link createClientKeyCache}. */
export interface ClientKeyCacheOptions {
  /** The store's pub/sub: a key dropped on any instance is dropped here at once. */
  pubsub: PubSub;
  /** Channel name (default `srv:clients`). */
  channel?: string;
  /** How long a verified key is trusted without a store read, in ms (default 5 000). */
  maxAgeMs?: number;
  /** Most keys kept (default 10 000; the least recently used goes first). */
  max?: number;
  now?: () => number;
}

/** Verified API keys (by hash) kept briefly in process; see {@link createClientKeyCache}. */
export interface ClientKeyCache {
  get(keyHash: string): Client | undefined;
  set(keyHash: string, client: Client): void;
  /** Drops these keys here and on every instance (publishes); call after the store write. */
  invalidate(keyHashes: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Client API keys verified recently, so a client's calls skip the two store reads of a key lookup
 * (two network round trips on Redis). Safe for revocation the way the session cache is: the cache
 * is used only once the subscription to the channel is confirmed, a delete anywhere drops the key
 * everywhere at once, keys dropped in the last minute are never cached again (a lookup that raced
 * the delete cannot put one back), and no entry lives longer than `maxAgeMs`.
 */
export function createClientKeyCache(options: ClientKeyCacheOptions): ClientKeyCache {
  const channel = options.channel ?? "srv:clients";
  const maxAgeMs = options.maxAgeMs ?? 5_000;
  const max = options.max ?? 10_000;
  // lru-cache reads this clock for its TTLs (at every check: tests move it by hand).
  const clock = options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {};
  const entries = new LRUCache<string, Client>({ max, ttl: maxAgeMs, ...clock });
  /** Key hashes dropped recently: a lookup that raced the drop may not cache them again. */
  const dropped = new LRUCache<string, true>({ max, ttl: Math.max(60_000, maxAgeMs * 4), ...clock });
  let subscribed = false;
  let closed = false;
  let unsubscribe: (() => Promise<void>) | undefined;

  const drop = (keyHash: string) => {
    entries.delete(keyHash);
    dropped.set(keyHash, true);
  };
  const subscription = options.pubsub
    .subscribe(channel, (message) => {
      try {
        const { keyHashes } = JSON.parse(message) as { keyHashes?: unknown };
        if (Array.isArray(keyHashes)) for (const hash of keyHashes) if (typeof hash === "string") drop(hash);
      } catch {
        // Not ours; nothing to drop.
      }
    })
    .then(
      (stop) => {
        if (closed) return void stop().catch(() => {});
        unsubscribe = stop;
        subscribed = true;
      },
      // Without a confirmed subscription the cache stays off: every lookup reads the store.
      () => undefined,
    );

  return {
    get: (keyHash) => entries.get(keyHash),
    set(keyHash, client) {
      if (!subscribed || closed || dropped.has(keyHash)) return;
      entries.set(keyHash, client);
    },
    async invalidate(keyHashes) {
      for (const hash of keyHashes) drop(hash);
      await options.pubsub.publish(channel, JSON.stringify({ keyHashes }));
    },
    async close() {
      closed = true;
      entries.clear();
      await subscription;
      const stop = unsubscribe;
      unsubscribe = undefined;
      subscribed = false;
      if (stop) await stop().catch(() => {});
    },
  };
}
