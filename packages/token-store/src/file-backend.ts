import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ScpError, StoreError } from "@securecontext/protocol";
import Database from "better-sqlite3";
import { closeGuard } from "./closed";
import { ensureFileSchema } from "./file-schema";
import { localPubSub } from "./local-pubsub";
import { newLockToken } from "./memory-backend";
import type {
  Counters,
  ListOptions,
  Lock,
  LockLease,
  SetManyEntry,
  SetOptions,
  StoreBackend,
  StoredRecord,
  TokenStore,
} from "./types";
import {
  assertKey,
  assertPositiveMs,
  compareKeys,
  type EncodedEntry,
  encodeCompareAndSetMany,
  encodeCursor,
  encodeEntries,
  encodeJson,
  expiryOf,
  listPage,
} from "./validation";

/** Options of {@link fileBackend}. */
export interface FileBackendOptions {
  /** Database file; its directory is created (mode 0700) when missing. `":memory:"` for a throwaway. */
  path: string;
  /** Clock in epoch ms (default `Date.now`). Processes sharing a file should share a host clock. */
  now?: () => number;
  /** How long a write waits for another process's transaction, in ms (default 5000). */
  busyTimeoutMs?: number;
  /** How often expired rows are deleted, in ms (default 60 000; 0 disables the timer). */
  sweepIntervalMs?: number;
  /**
   * SQLite `synchronous` level (default `"FULL"`: a committed refresh token survives power loss;
   * `"NORMAL"` survives process crashes only, and is faster).
   */
  synchronous?: "FULL" | "NORMAL";
}

interface Row {
  value: string;
  version: number;
  expires_at: number | null;
}

/** A counter increment waiting for its batch's transaction. */
interface PendingIncrement {
  key: string;
  windowMs: number;
  resolve(result: { count: number; resetAt: number }): void;
  reject(error: unknown): void;
}

interface KeyedRow extends Row {
  key: string;
}

/**
 * The embedded default store: one SQLite file (better-sqlite3, WAL mode) that survives restarts.
 * Every write is a `BEGIN IMMEDIATE` transaction, so several processes on the same host sharing
 * the file stay correct (compare-and-set, takeOnce, leases and counters are atomic across them).
 * Pub/sub is in-process only: the file store is for a single host; use Redis for many instances.
 * One table (its layout and migrations: file-schema.ts) whose `ns` column separates records (r),
 * leases (l), fences (f) and counter windows (c).
 *
 * @example
 * ```ts
 * const backend = fileBackend({ path: "./data/scp.sqlite" });
 * await backend.records.set("connection:con_1", { status: "active" });
 * await backend.close();
 * ```
 */
export function fileBackend(options: FileBackendOptions): StoreBackend {
  const now = options.now ?? Date.now;
  const guard = closeGuard("file store");
  const db = openDatabase(options);
  /**
   * Counter windows (rate limits) commit through a second connection with `synchronous = OFF`: they
   * need no durability (power loss only forgets some counts), and an fsync per counted request cost
   * more than the rest of a small API call. Both connections share one WAL, so the next durable
   * commit persists these frames too, and WAL checksums keep a torn tail from corrupting anything.
   */
  const counterDb = options.path === ":memory:" ? db : openDatabase(options, "OFF");
  const counterQ = {
    get: counterDb.prepare<[string, number], Row>(
      "SELECT value, version, expires_at FROM scp_kv WHERE ns = 'c' AND key = ? AND (expires_at IS NULL OR expires_at > ?)",
    ),
    upsert: counterDb.prepare<[string, number, number]>(
      `INSERT INTO scp_kv (ns, key, value, version, expires_at) VALUES ('c', ?, '', ?, ?)
       ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, version = excluded.version, expires_at = excluded.expires_at`,
    ),
  };

  const q = {
    get: db.prepare<[string, string, number], Row>(
      "SELECT value, version, expires_at FROM scp_kv WHERE ns = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)",
    ),
    upsert: db.prepare<[string, string, string, number, number | null]>(
      `INSERT INTO scp_kv (ns, key, value, version, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, version = excluded.version, expires_at = excluded.expires_at`,
    ),
    delete: db.prepare<[string, string]>("DELETE FROM scp_kv WHERE ns = ? AND key = ?"),
    list: db.prepare<[string, number, number], KeyedRow>(
      `SELECT key, value, version, expires_at FROM scp_kv
       WHERE ns = 'r' AND key >= ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key LIMIT ?`,
    ),
    listAfter: db.prepare<[string, number, number], KeyedRow>(
      `SELECT key, value, version, expires_at FROM scp_kv
       WHERE ns = 'r' AND key > ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key LIMIT ?`,
    ),
    releaseLease: db.prepare<[string, string, number]>(
      "DELETE FROM scp_kv WHERE ns = 'l' AND key = ? AND value = ? AND expires_at > ?",
    ),
    extendLease: db.prepare<[number, string, string, number]>(
      "UPDATE scp_kv SET expires_at = ? WHERE ns = 'l' AND key = ? AND value = ? AND expires_at > ?",
    ),
    nextFence: db.prepare<[string], { version: number }>(
      `INSERT INTO scp_kv (ns, key, value, version, expires_at) VALUES ('f', ?, '', 1, NULL)
       ON CONFLICT (ns, key) DO UPDATE SET version = version + 1 RETURNING version`,
    ),
    sweep: db.prepare<[number]>(
      "DELETE FROM scp_kv WHERE expires_at IS NOT NULL AND expires_at <= ? AND ns <> 'f'",
    ),
  };

  const toRecord = <T>(row: Row): StoredRecord<T> => ({
    value: JSON.parse(row.value) as T,
    version: row.version,
    ...(row.expires_at !== null ? { expiresAt: row.expires_at } : {}),
  });
  const live = (ns: string, key: string) => q.get.get(ns, key, now());
  const write = (key: string, json: string, version: number, expiresAt: number | undefined) => {
    if (expiresAt !== undefined && expiresAt <= now()) q.delete.run("r", key);
    else q.upsert.run("r", key, json, version, expiresAt ?? null);
    return { version, ...(expiresAt !== undefined ? { expiresAt } : {}) };
  };
  /** Writes `json` as the next version of the record at `key` (inside the caller's transaction). */
  const writeNext = (key: string, json: string, expiresAt: number | undefined) =>
    write(key, json, (live("r", key)?.version ?? 0) + 1, expiresAt);
  const writeRows = (rows: ReadonlyArray<EncodedEntry>) => {
    for (const row of rows) writeNext(row.key, row.json, row.expiresAt);
  };

  const tx = {
    set: db.transaction(writeNext),
    setMany: db.transaction(writeRows),
    compareAndSetMany: db.transaction(
      (
        key: string,
        expected: number | null,
        json: string,
        expiresAt: number | undefined,
        rows: ReadonlyArray<EncodedEntry>,
      ) => {
        const current = live("r", key);
        if ((current?.version ?? null) !== expected) return null;
        writeRows(rows);
        return write(key, json, (current?.version ?? 0) + 1, expiresAt);
      },
    ),
    delete: db.transaction((key: string) => {
      const existed = live("r", key) !== undefined;
      q.delete.run("r", key);
      return existed;
    }),
    takeOnce: db.transaction((key: string) => {
      const current = live("r", key);
      if (current !== undefined) q.delete.run("r", key);
      return current;
    }),
    acquire: db.transaction((key: string, ttlMs: number): LockLease | null => {
      if (live("l", key) !== undefined) return null;
      const fence = q.nextFence.get(key)!.version;
      const lease = { token: newLockToken(), expiresAt: now() + ttlMs };
      q.upsert.run("l", key, lease.token, fence, lease.expiresAt);
      return { ...lease, fence };
    }),
    /** Applies a batch of increments in call order, in one transaction (see `counters`). */
    incrementAll: counterDb.transaction((batch: PendingIncrement[]) => {
      const at = now();
      return batch.map(({ key, windowMs }) => {
        const current = counterQ.get.get(key, at);
        const count = (current?.version ?? 0) + 1;
        const resetAt = current?.expires_at ?? at + windowMs;
        counterQ.upsert.run(key, count, resetAt);
        return { count, resetAt };
      });
    }),
  };

  const run = <R>(what: string, fn: () => R): R => {
    guard.check();
    try {
      return fn();
    } catch (error) {
      if (error instanceof ScpError) throw error;
      throw new StoreError(`file store ${what} failed: ${(error as Error).message}`, { cause: error });
    }
  };

  const compareAndSetMany = async <T>(
    key: string,
    expectedVersion: number | null,
    next: T,
    alsoSet: ReadonlyArray<SetManyEntry>,
    setOptions?: SetOptions,
  ): Promise<StoredRecord<T> | null> => {
    const { json, expiresAt, rows } = encodeCompareAndSetMany(
      key,
      expectedVersion,
      next,
      alsoSet,
      setOptions,
    );
    return run("compare-and-set", () => {
      const written = tx.compareAndSetMany.immediate(key, expectedVersion, json, expiresAt, rows);
      return written === null ? null : { value: JSON.parse(json) as T, ...written };
    });
  };

  const records = {
    async get<T>(key: string) {
      assertKey(key);
      return run("read", () => {
        const row = live("r", key);
        return row === undefined ? undefined : toRecord<T>(row);
      });
    },
    async set<T>(key: string, value: T, setOptions?: SetOptions) {
      assertKey(key);
      const expiresAt = expiryOf(setOptions);
      const json = encodeJson(value);
      return run("write", () => ({
        value: JSON.parse(json) as T,
        ...tx.set.immediate(key, json, expiresAt),
      }));
    },
    async setMany(entries: ReadonlyArray<SetManyEntry>) {
      const rows = encodeEntries(entries);
      run("write", () => tx.setMany.immediate(rows));
    },
    compareAndSetMany,
    async delete(key: string) {
      assertKey(key);
      return run("delete", () => tx.delete.immediate(key));
    },
    compareAndSet<T>(key: string, expectedVersion: number | null, next: T, setOptions?: SetOptions) {
      return compareAndSetMany(key, expectedVersion, next, [], setOptions);
    },
    async takeOnce<T>(key: string) {
      assertKey(key);
      return run("takeOnce", () => {
        const row = tx.takeOnce.immediate(key);
        return row === undefined ? undefined : (JSON.parse(row.value) as T);
      });
    },
    async list<T>(prefix: string, listOptions?: ListOptions) {
      const page = listPage(prefix, listOptions);
      return run("list", () => {
        // A cursor before the prefix changes nothing: every key with the prefix sorts after it.
        const after =
          page.after !== undefined && compareKeys(page.after, page.prefix) >= 0 ? page.after : undefined;
        const rows =
          after === undefined
            ? q.list.all(page.prefix, now(), page.limit + 1)
            : q.listAfter.all(after, now(), page.limit + 1);
        const matching: KeyedRow[] = [];
        for (const row of rows) {
          // Keys sharing a prefix are contiguous in byte order: the first non-match ends the range.
          if (!row.key.startsWith(page.prefix)) break;
          matching.push(row);
        }
        const items = matching
          .slice(0, page.limit)
          .map((row) => ({ key: row.key, record: toRecord<T>(row) }));
        const last = items[items.length - 1]?.key;
        return {
          items,
          nextCursor: matching.length > page.limit && last !== undefined ? encodeCursor(last) : null,
        };
      });
    },
    close: () => backend.close(),
  } satisfies TokenStore;

  const locks = {
    async acquire(key: string, ttlMs: number) {
      assertKey(key);
      assertPositiveMs(ttlMs, "ttlMs");
      return run("lock acquire", () => tx.acquire.immediate(key, ttlMs));
    },
    async release(key: string, token: string) {
      assertKey(key);
      return run("lock release", () => q.releaseLease.run(key, String(token), now()).changes > 0);
    },
    async extend(key: string, token: string, ttlMs: number) {
      assertKey(key);
      assertPositiveMs(ttlMs, "ttlMs");
      return run("lock extend", () => {
        const at = now();
        return q.extendLease.run(at + ttlMs, key, String(token), at).changes > 0;
      });
    },
  } satisfies Lock;

  /**
   * Increments issued back to back (in one synchronous run, as a rate limiter counting a turn's
   * requests issues them) commit together, in one `BEGIN IMMEDIATE` transaction on the next
   * microtask: every commit appends to the WAL and takes and drops the file locks, system calls that
   * cost more than the rest of a small API call. Each caller still gets the exact count its own
   * increment reached (the batch applies them one by one, in call order), and other processes see
   * the counts as committed, as before. `close` commits what is pending first.
   */
  let pendingIncrements: PendingIncrement[] = [];
  const commitIncrements = () => {
    const batch = pendingIncrements;
    pendingIncrements = [];
    if (batch.length === 0) return;
    let results: Array<{ count: number; resetAt: number }>;
    try {
      results = run("counter increment", () => tx.incrementAll.immediate(batch));
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      (batch[i] as PendingIncrement).resolve(results[i] as { count: number; resetAt: number });
    }
  };
  const counters = {
    increment(key: string, windowMs: number) {
      try {
        guard.check();
        assertKey(key);
        assertPositiveMs(windowMs, "windowMs");
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise<{ count: number; resetAt: number }>((resolve, reject) => {
        if (pendingIncrements.push({ key, windowMs, resolve, reject }) === 1)
          queueMicrotask(commitIncrements);
      });
    },
  } satisfies Counters;

  const sweepEvery = options.sweepIntervalMs ?? 60_000;
  const timer =
    sweepEvery > 0
      ? setInterval(() => {
          try {
            q.sweep.run(now());
          } catch {
            // Busy or closing: the next sweep retries; reads never see expired rows anyway.
          }
        }, sweepEvery)
      : undefined;
  timer?.unref?.();
  const pubsub = localPubSub(guard.check);

  const backend: StoreBackend = {
    kind: "file",
    inProcess: true,
    records,
    locks,
    counters,
    pubsub,
    async ping() {
      run("ping", () => db.prepare("SELECT 1").get());
    },
    async close() {
      // Increments already accepted commit before the connections close.
      commitIncrements();
      if (!guard.close()) return;
      if (timer) clearInterval(timer);
      pubsub.clear();
      if (counterDb !== db) counterDb.close();
      db.close();
    },
  };
  return backend;
}

function openDatabase(options: FileBackendOptions, synchronous?: "OFF"): Database.Database {
  const inMemory = options.path === ":memory:";
  const path = inMemory ? options.path : resolve(options.path);
  try {
    const created = !inMemory && !existsSync(path);
    if (!inMemory) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const db = new Database(path);
    if (created) chmodSync(path, 0o600);
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    db.pragma("journal_mode = WAL");
    // better-sqlite3 builds SQLite with a 16 MiB page cache per connection; the OS page cache holds the
    // file anyway, and the server keeps its hot records (sessions, token sets) in process caches.
    db.pragma(`cache_size = -${synchronous === "OFF" ? 1024 : 4096}`);
    db.pragma(`synchronous = ${synchronous ?? (options.synchronous === "NORMAL" ? "NORMAL" : "FULL")}`);
    ensureFileSchema(db);
    return db;
  } catch (error) {
    throw new StoreError(`cannot open the file store at ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
