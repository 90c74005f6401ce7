import { isScpError, StoreError } from "@securecontext/protocol";
import type { Counters, Lock, PubSub, StoreBackend, TokenStore } from "@securecontext/token-store";

/** Turns any non-SCP failure of a store call into a `StoreError` naming the operation. */
export async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isScpError(error)) throw error;
    throw new StoreError(`store unavailable during ${operation}`, { cause: error });
  }
}

function guardStore(store: TokenStore): TokenStore {
  return {
    get: (key) => guarded("get", () => store.get(key)),
    set: (key, value, options) => guarded("set", () => store.set(key, value, options)),
    delete: (key) => guarded("delete", () => store.delete(key)),
    compareAndSet: (key, expected, next, options) =>
      guarded("compareAndSet", () => store.compareAndSet(key, expected, next, options)),
    takeOnce: (key) => guarded("takeOnce", () => store.takeOnce(key)),
    list: (prefix, options) => guarded("list", () => store.list(prefix, options)),
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

export function guardBackend(backend: StoreBackend, records: TokenStore): GuardedBackend {
  return {
    records: guardStore(records),
    locks: {
      acquire: (key, ttl) => guarded("lock acquire", () => backend.locks.acquire(key, ttl)),
      release: (key, token) => guarded("lock release", () => backend.locks.release(key, token)),
      extend: (key, token, ttl) => guarded("lock extend", () => backend.locks.extend(key, token, ttl)),
    },
    counters: {
      increment: (key, windowMs) =>
        guarded("counter increment", () => backend.counters.increment(key, windowMs)),
    },
    pubsub: {
      publish: (channel, message) => guarded("publish", () => backend.pubsub.publish(channel, message)),
      subscribe: (channel, handler) => guarded("subscribe", () => backend.pubsub.subscribe(channel, handler)),
    },
  };
}
