import { randomBase62 } from "@securecontext/protocol";
import { closeGuard } from "./closed";
import { localPubSub } from "./local-pubsub";
import { type MemoryStoreOptions, memoryStore } from "./memory-store";
import type { Counters, Lock, LockLease, StoreBackend } from "./types";
import { assertKey, assertPositiveMs } from "./validation";

/** Owner tokens carry 256 bits from the CSPRNG. */
export function newLockToken(): string {
  return randomBase62(43);
}

/**
 * Everything a single process needs, in memory: records ({@link memoryStore}), leases with fencing,
 * fixed-window counters and in-process pub/sub. Nothing is shared with other processes and nothing
 * survives a restart; use `fileBackend` for one host or `redisBackend` for many instances.
 *
 * @example
 * ```ts
 * const backend = memoryBackend();
 * const lease = await backend.locks.acquire("refresh:con_1", 30_000);
 * if (lease) await backend.locks.release("refresh:con_1", lease.token);
 * ```
 */
export function memoryBackend(options: MemoryStoreOptions = {}): StoreBackend {
  const now = options.now ?? Date.now;
  const guard = closeGuard("memory backend");
  const records = memoryStore(options);
  const leases = new Map<string, { token: string; expiresAt: number }>();
  const fences = new Map<string, number>();
  const windows = new Map<string, { count: number; resetAt: number }>();
  const pubsub = localPubSub(guard.check);

  const heldLease = (key: string) => {
    const lease = leases.get(key);
    if (lease === undefined) return undefined;
    if (lease.expiresAt <= now()) {
      leases.delete(key);
      return undefined;
    }
    return lease;
  };

  const locks = {
    async acquire(key: string, ttlMs: number): Promise<LockLease | null> {
      guard.check();
      assertKey(key);
      assertPositiveMs(ttlMs, "ttlMs");
      if (heldLease(key) !== undefined) return null;
      const fence = (fences.get(key) ?? 0) + 1;
      fences.set(key, fence);
      const lease = { token: newLockToken(), expiresAt: now() + ttlMs };
      leases.set(key, lease);
      return { ...lease, fence };
    },
    async release(key: string, token: string) {
      guard.check();
      assertKey(key);
      if (heldLease(key)?.token !== token) return false;
      leases.delete(key);
      return true;
    },
    async extend(key: string, token: string, ttlMs: number) {
      guard.check();
      assertKey(key);
      assertPositiveMs(ttlMs, "ttlMs");
      const lease = heldLease(key);
      if (lease?.token !== token) return false;
      lease.expiresAt = now() + ttlMs;
      return true;
    },
  } satisfies Lock;

  const counters = {
    async increment(key: string, windowMs: number) {
      guard.check();
      assertKey(key);
      assertPositiveMs(windowMs, "windowMs");
      const at = now();
      let window = windows.get(key);
      if (window === undefined || window.resetAt <= at) {
        window = { count: 0, resetAt: at + windowMs };
        windows.set(key, window);
        if (windows.size > 10_000) {
          for (const [k, w] of windows) if (w.resetAt <= at) windows.delete(k);
        }
      }
      window.count += 1;
      return { count: window.count, resetAt: window.resetAt };
    },
  } satisfies Counters;

  return {
    kind: "memory",
    inProcess: true,
    records,
    locks,
    counters,
    pubsub,
    async ping() {
      guard.check();
    },
    async close() {
      if (!guard.close()) return;
      pubsub.clear();
      await records.close();
    },
  } satisfies StoreBackend;
}
