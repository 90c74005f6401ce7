import { isScpError, StoreError } from "@securecontext/protocol";
import type { Counters, Lock, PubSub, StoreBackend, TokenStore } from "@securecontext/token-store";

/**
 * Turns any non-SCP failure of a store call into a `StoreError` naming the operation, and a call
 * that takes longer than `timeoutMs` (a store that queues commands while unreachable) into one too.
 */
export async function guarded<T>(operation: string, run: () => Promise<T>, timeoutMs = 0): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    if (timeoutMs <= 0) return await run();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreError(`store did not answer ${operation} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    return await Promise.race([run(), timeout]);
  } catch (error) {
    if (isScpError(error)) throw error;
    throw new StoreError(`store unavailable during ${operation}`, { cause: error });
  } finally {
    if (timer) clearTimeout(timer);
  }
}

function guardStore(store: TokenStore, t: number): TokenStore {
  return {
    get: (key) => guarded("get", () => store.get(key), t),
    set: (key, value, options) => guarded("set", () => store.set(key, value, options), t),
    delete: (key) => guarded("delete", () => store.delete(key), t),
    compareAndSet: (key, expected, next, options) =>
      guarded("compareAndSet", () => store.compareAndSet(key, expected, next, options), t),
    takeOnce: (key) => guarded("takeOnce", () => store.takeOnce(key), t),
    list: (prefix, options) => guarded("list", () => store.list(prefix, options), t),
    close: () => store.close(),
  };
}

/** The parts of a backend the pool uses, each failure surfacing as a clear `StoreError`. */
export interface GuardedBackend {
  records: TokenStore;
  locks: Lock;
  counters: Counters;
  pubsub: PubSub;
}

export function guardBackend(backend: StoreBackend, records: TokenStore, timeoutMs: number): GuardedBackend {
  const t = timeoutMs;
  return {
    records: guardStore(records, t),
    locks: {
      acquire: (key, ttl) => guarded("lock acquire", () => backend.locks.acquire(key, ttl), t),
      release: (key, token) => guarded("lock release", () => backend.locks.release(key, token), t),
      extend: (key, token, ttl) => guarded("lock extend", () => backend.locks.extend(key, token, ttl), t),
    },
    counters: {
      increment: (key, windowMs) =>
        guarded("counter increment", () => backend.counters.increment(key, windowMs), t),
    },
    pubsub: {
      publish: (channel, message) => guarded("publish", () => backend.pubsub.publish(channel, message), t),
      subscribe: (channel, handler) =>
        guarded("subscribe", () => backend.pubsub.subscribe(channel, handler), t),
    },
  };
}
