/**
 * Storage contracts. Every time is epoch milliseconds. Every implementation passes the
 * conformance suite in `@securecontext/token-store/testing`.
 */

/** A stored value with its version (starts at 1, +1 on every write) and optional expiry. */
export interface StoredRecord<T = unknown> {
  value: T;
  version: number;
  /** Epoch ms after which the record reads as absent. */
  expiresAt?: number;
}

export interface SetOptions {
  /** Epoch ms after which the record reads as absent. Omit for no expiry. */
  expiresAt?: number;
}

export interface ListOptions {
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /** Page size, 1–1000 (default 100). */
  limit?: number;
}

export interface ListResult<T = unknown> {
  /** Entries in ascending key order. */
  items: Array<{ key: string; record: StoredRecord<T> }>;
  nextCursor: string | null;
}

/** One write of {@link TokenStore.setMany}. */
export interface SetManyEntry {
  key: string;
  value: unknown;
  options?: SetOptions;
}

/** Keyed records with versions. Values are JSON-serializable. */
export interface TokenStore {
  /** Current record or undefined (absent or expired). Atomic read. */
  get<T = unknown>(key: string): Promise<StoredRecord<T> | undefined>;
  /** Unconditional write; bumps the version. Atomic. */
  set<T = unknown>(key: string, value: T, options?: SetOptions): Promise<StoredRecord<T>>;
  /**
   * Optional: unconditional writes of several records as one atomic step (all or none), each as
   * `set` would write it. Stores that commit durably pay that cost once for the whole batch (the
   * file store: one transaction, one fsync). Callers fall back to `set` per record when absent.
   */
  setMany?(entries: ReadonlyArray<SetManyEntry>): Promise<void>;
  /**
   * Optional: `compareAndSet` of `key` and, in the same atomic step, writes of every entry of
   * `alsoSet` (each as `set` would write it): all of them, or none when `key`'s version is not
   * `expectedVersion` (then null). Commits a pointer together with the records it points to, where
   * `compareAndSet` then `setMany` needed a copy of those records in the pointer to repair a crash
   * between the two. `alsoSet` must not contain `key`.
   */
  compareAndSetMany?<T = unknown>(
    key: string,
    expectedVersion: number | null,
    next: T,
    alsoSet: ReadonlyArray<SetManyEntry>,
    options?: SetOptions,
  ): Promise<StoredRecord<T> | null>;
  /** Removes the record; true when something was removed. Atomic. */
  delete(key: string): Promise<boolean>;
  /**
   * Writes `next` only when the stored version equals `expectedVersion` (`null`: only when the key
   * is absent). Returns the new record, or null when another writer got there first. Atomic.
   */
  compareAndSet<T = unknown>(
    key: string,
    expectedVersion: number | null,
    next: T,
    options?: SetOptions,
  ): Promise<StoredRecord<T> | null>;
  /** Atomic get-and-delete: of any number of concurrent callers, exactly one gets the value. */
  takeOnce<T = unknown>(key: string): Promise<T | undefined>;
  /** Records whose key starts with `prefix`, ascending, paged by cursor. Not a snapshot. */
  list<T = unknown>(prefix: string, options?: ListOptions): Promise<ListResult<T>>;
  close(): Promise<void>;
}

/** A held lease. `fence` grows strictly with every successful acquire of the same key. */
export interface LockLease {
  token: string;
  fence: number;
  /** Epoch ms when the lease lapses unless extended. */
  expiresAt: number;
}

/** Leases with owner tokens and fencing numbers. */
export interface Lock {
  /** The lease, or null when someone else holds it. Atomic (`SET NX PX` semantics). */
  acquire(key: string, ttlMs: number): Promise<LockLease | null>;
  /** Releases only when `token` still owns the lease; true when released. Atomic. */
  release(key: string, token: string): Promise<boolean>;
  /** Extends only when `token` still owns the lease; true when extended. Atomic. */
  extend(key: string, token: string, ttlMs: number): Promise<boolean>;
}

/** Fixed-window counters for rate limits. */
export interface Counters {
  /** Adds 1 to `key`'s window of `windowMs` and returns the count and when the window resets. Atomic. */
  increment(key: string, windowMs: number): Promise<{ count: number; resetAt: number }>;
}

/** Fan-out messages between instances (session revocation, events). At-most-once. */
export interface PubSub {
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once subscribed; call the returned function to unsubscribe. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
}

/** Everything a server instance needs from its store. */
export interface StoreBackend {
  /** `memory`, `file`, `redis`, `keyv`. */
  kind: string;
  /**
   * True when every operation completes inside this process and cannot hang waiting for a peer
   * (memory, SQLite file). Callers then need no timeout around store calls; arming and clearing
   * one per call cost more than these stores' operations themselves.
   */
  inProcess?: boolean;
  records: TokenStore;
  locks: Lock;
  counters: Counters;
  pubsub: PubSub;
  /** Throws `StoreError` when the store cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
