import { StoreError } from "@securecontext/protocol";
import type { LockLease } from "@securecontext/token-store";
import type { PoolContext } from "./context";
import { describe } from "./events";
import { sleep } from "./timing";

/** A held lease that keeps itself alive until released. */
export interface HeldLease {
  lease: LockLease;
  /** False once an extension failed: another process may hold the key now. */
  readonly owned: boolean;
  release(): Promise<void>;
}

/**
 * Acquires `key` for `ttlMs`, renewing it every third of the TTL while held (so a slow provider
 * call does not let the lease lapse under a live holder). A holder that dies stops renewing and
 * its lease lapses after at most `ttlMs`.
 */
export async function tryAcquireLease(
  context: PoolContext,
  key: string,
  ttlMs: number,
): Promise<HeldLease | null> {
  const lease = await context.store.locks.acquire(key, ttlMs);
  if (!lease) return null;
  let owned = true;
  let released = false;
  const timer = setInterval(
    () => {
      context.store.locks.extend(key, lease.token, ttlMs).then(
        (extended) => {
          if (!extended && !released) {
            owned = false;
            context.options.logger.error("lost a lease while holding it", { key });
          }
        },
        (error: unknown) =>
          context.options.logger.warn("could not extend a lease", { key, error: describe(error) }),
      );
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref?.();
  return {
    lease,
    get owned() {
      return owned;
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      try {
        await context.store.locks.release(key, lease.token);
      } catch (error) {
        // It lapses by itself after ttlMs.
        context.options.logger.warn("could not release a lease", { key, error: describe(error) });
      }
    },
  };
}

/** Waits (with back-off) until `key` can be acquired, or throws `StoreError` after `waitMs`. */
export async function acquireLease(
  context: PoolContext,
  key: string,
  ttlMs: number,
  waitMs: number,
  signal?: AbortSignal,
): Promise<HeldLease> {
  const deadline = context.options.now() + waitMs;
  let delay = 20;
  for (;;) {
    const held = await tryAcquireLease(context, key, ttlMs);
    if (held) return held;
    if (context.options.now() >= deadline) {
      throw new StoreError("timed out waiting for a lease held by another process", {
        extra: { lease: key },
      });
    }
    await sleep(delay + Math.random() * delay, signal);
    delay = Math.min(delay * 2, 250);
  }
}
