import { isScpError, StoreError } from "@securecontext/protocol";
import type { Counters, Lock, PubSub, StoreBackend, TokenStore } from "@securecontext/token-store";

/** The error a failed store call surfaces as: SCP errors as they are, anything else a `StoreError`. */
function storeFailure(operation: string, error: unknown): Error {
  if (isScpError(error)) return error;
  return new StoreError(`store unavailable during ${operation}`, { cause: error });
}

/**
 * Turns any non-SCP failure of a store call into a `StoreError` naming the operation, and a call
 * that takes longer than `timeoutMs` (a store that queues commands while unreachable) into one too.
 * Without a timeout (in-process stores) it is one `then` on the call's own promise: this wraps
 * every store read of every request.
 */
export function guarded<T>(operation: string, run: () => Promise<T>, timeoutMs = 0): Promise<T> {
  if (timeoutMs <= 0) {
    let pending: Promise<T>;
    try {
      pending = run();
    } catch (error) {
      return Promise.reject(storeFailure(operation, error));
    }
    return pending.then(undefined, (error: unknown) => {
      throw storeFailure(operation, error);
    });
  }
  return withTimeout(operation, run, timeoutMs);
}

async function withTimeout<T>(operation: string, run: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreError(`store did not answer ${operation} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    return await Promise.race([run(), timeout]);
  } catch (error) {
    throw storeFailure(operation, error);
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
