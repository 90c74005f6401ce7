import {
  assertKey,
  assertPositiveMs,
  type Counters,
  type Lock,
  type LockLease,
  newLockToken,
} from "@securecontext/token-store";
import type { KeyLayout } from "./keys";
import type { RedisCaller } from "./redis-call";
import { acquireLease, extendLease, incrementWindow, releaseLease } from "./scripts";

/**
 * Leases: `SET lock token NX PX ttl` and `INCR fence` in one script (a lease never exists without
 * its fence). Release and extend compare the owner token in Lua. `expiresAt` is computed from this
 * process's clock at the time of the call, so it errs early, never late.
 */
export function redisLocks(call: RedisCaller, keys: KeyLayout, now: () => number): Lock {
  return {
    async acquire(key: string, ttlMs: number): Promise<LockLease | null> {
      assertKey(key);
      assertPositiveMs(ttlMs, "ttlMs");
      const started = now();
      const token = newLockToken();
      const fence = await call.script<number>(
        "lock acquire",
        acquireLease,
        [keys.lock(key), keys.fence(key)],
        [token, String(ttlMs)],
      );
      return Number(fence) > 0 ? { token, fence: Number(fence), expiresAt: started + ttlMs } : null;
    },
    async release(key: string, token: string) {
      assertKey(key);
      return (
        (await call.script<number>("lock release", releaseLease, [keys.lock(key)], [String(token)])) === 1
      );
    },
    async extend(key: string, token: string, ttlMs: number) {
      assertKey(key);
      assertPositiveMs(ttlMs, "ttlMs");
      const result = await call.script<number>(
        "lock extend",
        extendLease,
        [keys.lock(key)],
        [String(token), String(ttlMs)],
      );
      return result === 1;
    },
  };
}

/** Fixed windows: `INCR` and, on a key without expiry, `PEXPIRE window`, in one script. */
export function redisCounters(call: RedisCaller, keys: KeyLayout, now: () => number): Counters {
  return {
    async increment(key: string, windowMs: number) {
      assertKey(key);
      assertPositiveMs(windowMs, "windowMs");
      const [count, ttl] = await call.script<[number, number]>(
        "counter increment",
        incrementWindow,
        [keys.counter(key)],
        [String(windowMs)],
      );
      return { count: Number(count), resetAt: now() + Number(ttl) };
    },
  };
}
