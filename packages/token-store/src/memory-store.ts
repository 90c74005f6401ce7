import { closeGuard } from "./closed";
import type { ListOptions, ListResult, SetOptions, StoredRecord, TokenStore } from "./types";
import {
  assertExpectedVersion,
  assertKey,
  compareKeys,
  encodeCursor,
  encodeJson,
  expiryOf,
  listPage,
} from "./validation";

/** Options of {@link memoryStore} and {@link memoryBackend}. */
export interface MemoryStoreOptions {
  /** Clock in epoch ms (default `Date.now`); inject one to test expiry without waiting. */
  now?: () => number;
  /** How often expired records are swept, in ms (default 60 000; 0 disables the sweep timer). */
  sweepIntervalMs?: number;
}

interface Entry {
  /** JSON text, so callers never share mutable objects with the store. */
  json: string;
  version: number;
  expiresAt: number | undefined;
}

/**
 * A `TokenStore` in process memory: for tests, development and single-process tools. Every
 * operation is atomic because it completes synchronously inside one event-loop turn; nothing
 * survives a restart and nothing is shared with other processes. Values are copied through JSON on
 * the way in and out.
 */
export function memoryStore(options: MemoryStoreOptions = {}): TokenStore {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const guard = closeGuard("memory store");

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const toRecord = <T>(entry: Entry): StoredRecord<T> => ({
    value: JSON.parse(entry.json) as T,
    version: entry.version,
    ...(entry.expiresAt !== undefined ? { expiresAt: entry.expiresAt } : {}),
  });
  const write = <T>(key: string, json: string, version: number, expiresAt: number | undefined) => {
    const entry: Entry = { json, version, expiresAt };
    if (expiresAt !== undefined && expiresAt <= now()) entries.delete(key);
    else entries.set(key, entry);
    return toRecord<T>(entry);
  };
  const sweep = () => {
    const at = now();
    for (const [key, entry] of entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= at) entries.delete(key);
    }
  };
  const sweepEvery = options.sweepIntervalMs ?? 60_000;
  const timer = sweepEvery > 0 ? setInterval(sweep, sweepEvery) : undefined;
  timer?.unref?.();

  return {
    async get<T>(key: string) {
      guard.check();
      assertKey(key);
      const entry = live(key);
      return entry === undefined ? undefined : toRecord<T>(entry);
    },
    async set<T>(key: string, value: T, setOptions?: SetOptions) {
      guard.check();
      assertKey(key);
      const expiresAt = expiryOf(setOptions);
      const json = encodeJson(value);
      return write<T>(key, json, (live(key)?.version ?? 0) + 1, expiresAt);
    },
    async delete(key: string) {
      guard.check();
      assertKey(key);
      const existed = live(key) !== undefined;
      entries.delete(key);
      return existed;
    },
    async compareAndSet<T>(key: string, expectedVersion: number | null, next: T, setOptions?: SetOptions) {
      guard.check();
      assertKey(key);
      assertExpectedVersion(expectedVersion);
      const expiresAt = expiryOf(setOptions);
      const json = encodeJson(next);
      const current = live(key);
      if ((current?.version ?? null) !== expectedVersion) return null;
      return write<T>(key, json, (current?.version ?? 0) + 1, expiresAt);
    },
    async takeOnce<T>(key: string) {
      guard.check();
      assertKey(key);
      const entry = live(key);
      if (entry === undefined) return undefined;
      entries.delete(key);
      return JSON.parse(entry.json) as T;
    },
    async list<T>(prefix: string, listOptions?: ListOptions): Promise<ListResult<T>> {
      guard.check();
      const page = listPage(prefix, listOptions);
      const at = now();
      const keys: string[] = [];
      for (const [key, entry] of entries) {
        if (!key.startsWith(page.prefix)) continue;
        if (page.after !== undefined && compareKeys(key, page.after) <= 0) continue;
        if (entry.expiresAt !== undefined && entry.expiresAt <= at) continue;
        keys.push(key);
      }
      keys.sort(compareKeys);
      const pageKeys = keys.slice(0, page.limit);
      const items = pageKeys.map((key) => ({ key, record: toRecord<T>(entries.get(key)!) }));
      const last = pageKeys[pageKeys.length - 1];
      return {
        items,
        nextCursor: keys.length > page.limit && last !== undefined ? encodeCursor(last) : null,
      };
    },
    async close() {
      if (guard.close() && timer) clearInterval(timer);
    },
  } satisfies TokenStore;
}
