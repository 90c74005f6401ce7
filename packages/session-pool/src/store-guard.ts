import { isScpError, StoreError } from "@securecontext/protocol";
import type { Counters, Lock, PubSub, StoreBackend, TokenStore } from "@securecontext/token-store";

/**
 * Turns any non-SCP failure of a store call into a `StoreError` naming the operation, and a call
 * that takes longer than `timeoutMs` (a store that queues commands while unreachable) into one too.
 */
export async function guarded<T>(operation: string, run: () => Promise<T>, timeoutMs = 0): Promise<T> {
  try {
    if (timeoutMs <= 0) return await run();
    return await new Promise<T>((resolve, reject) => {
      const entry: Watched = { deadline: Date.now() + timeoutMs, operation, timeoutMs, reject };
      watch(entry);
      run().then(
        (value) => {
          watched.delete(entry);
          resolve(value);
        },
        (error: unknown) => {
          watched.delete(entry);
          reject(error);
        },
      );
    });
  } catch (error) {
    if (isScpError(error)) throw error;
    throw new StoreError(`store unavailable during ${operation}`, { cause: error });
  }
}

/**
 * Store calls in flight with a deadline. One shared timer checks them every {@link SWEEP_MS}
 * (while any are in flight) instead of a timer armed and cleared around every call, which cost
 * more than an in-process store's whole operation. Deadlines are seconds; 25 ms late is fine.
 */
interface Watched {
  deadline: number;
  operation: string;
  timeoutMs: number;
  reject(error: unknown): void;
}
const SWEEP_MS = 25;
const watched = new Set<Watched>();
let sweeper: ReturnType<typeof setInterval> | undefined;

function watch(entry: Watched): void {
  watched.add(entry);
  if (sweeper === undefined) {
    sweeper = setInterval(sweep, SWEEP_MS);
    // A hung store call keeps the process alive through its own socket, not through this timer.
    sweeper.unref?.();
  }
}

function sweep(): void {
  const now = Date.now();
  for (const entry of watched) {
    if (entry.deadline > now) continue;
    watched.delete(entry);
    entry.reject(new StoreError(`store did not answer ${entry.operation} within ${entry.timeoutMs} ms`));
  }
  if (watched.size === 0 && sweeper !== undefined) {
    clearInterval(sweeper);
    sweeper = undefined;
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
