import { ScpError, StoreError } from "@securecontext/protocol";
import type Keyv from "keyv";
import { closeGuard } from "./closed";
import { keyedMutex } from "./keyed-mutex";
import type { ListOptions, SetOptions, StoredRecord, TokenStore } from "./types";
import {
  assertExpectedVersion,
  assertKey,
  compareKeys,
  encodeCursor,
  encodeJson,
  expiryOf,
  listPage,
} from "./validation";

/** Options of {@link keyvStore}. */
export interface KeyvStoreOptions {
  /**
   * Any keyv 5 instance (Map, @keyv/redis, @keyv/sqlite, …). Create it with `throwOnErrors: true`
   * so backend failures surface as `StoreError` instead of reading as "absent". `list` needs an
   * iterable adapter (Map, redis, sqlite, postgres, mysql, mongo, etcd).
   */
  keyv: Keyv;
  /** Clock in epoch ms (default `Date.now`). */
  now?: () => number;
}

/** What each keyv entry holds: the JSON text of the value, its version and expiry. */
interface Envelope {
  v: string;
  version: number;
  exp: number | null;
}

/**
 * A `TokenStore` over any keyv 5 instance: records only (no locks, counters or pub/sub).
 *
 * Keyv has no atomic read-modify-write, so `set`'s version bump, `compareAndSet`, `takeOnce` and
 * `delete` are made atomic by an in-process per-key mutex: correct within ONE process only. Two
 * processes sharing the keyv backend can both win a compare-and-set. Multi-instance deployments
 * must use `fileBackend` (one host) or `redisBackend` from `@securecontext/store-redis`.
 *
 * `list` walks the adapter's iterator and sorts in memory: O(records in the namespace) per page.
 */
export function keyvStore(options: KeyvStoreOptions): TokenStore {
  const { keyv } = options;
  const now = options.now ?? Date.now;
  const guard = closeGuard("keyv store");
  const exclusive = keyedMutex();

  const call = async <R>(what: string, fn: () => Promise<R>): Promise<R> => {
    guard.check();
    try {
      return await fn();
    } catch (error) {
      if (error instanceof ScpError) throw error;
      throw new StoreError(`keyv store ${what} failed: ${(error as Error)?.message ?? String(error)}`, {
        cause: error,
      });
    }
  };
  const read = async (key: string): Promise<Envelope | undefined> => {
    const envelope = (await keyv.get(key)) as Envelope | undefined;
    if (envelope === undefined || envelope === null) return undefined;
    if (
      typeof envelope !== "object" ||
      typeof envelope.v !== "string" ||
      typeof envelope.version !== "number"
    ) {
      throw new StoreError(`keyv entry "${key}" was not written by this store`);
    }
    return envelope.exp !== null && envelope.exp <= now() ? undefined : envelope;
  };
  const toRecord = <T>(envelope: Envelope): StoredRecord<T> => ({
    value: JSON.parse(envelope.v) as T,
    version: envelope.version,
    ...(envelope.exp !== null ? { expiresAt: envelope.exp } : {}),
  });
  const write = async (key: string, json: string, version: number, expiresAt: number | undefined) => {
    const envelope: Envelope = { v: json, version, exp: expiresAt ?? null };
    if (expiresAt !== undefined && expiresAt <= now()) {
      await keyv.delete(key);
    } else {
      const stored = await keyv.set(key, envelope, expiresAt === undefined ? undefined : expiresAt - now());
      if (stored === false) throw new StoreError(`keyv refused to store "${key}"`);
    }
    return envelope;
  };

  return {
    async get<T>(key: string) {
      assertKey(key);
      return call("read", async () => {
        const envelope = await read(key);
        return envelope === undefined ? undefined : toRecord<T>(envelope);
      });
    },
    async set<T>(key: string, value: T, setOptions?: SetOptions) {
      assertKey(key);
      const expiresAt = expiryOf(setOptions);
      const json = encodeJson(value);
      return call("write", () =>
        exclusive(key, async () =>
          toRecord<T>(await write(key, json, ((await read(key))?.version ?? 0) + 1, expiresAt)),
        ),
      );
    },
    async delete(key: string) {
      assertKey(key);
      return call("delete", () =>
        exclusive(key, async () => {
          const existed = (await read(key)) !== undefined;
          await keyv.delete(key);
          return existed;
        }),
      );
    },
    async compareAndSet<T>(key: string, expectedVersion: number | null, next: T, setOptions?: SetOptions) {
      assertKey(key);
      assertExpectedVersion(expectedVersion);
      const expiresAt = expiryOf(setOptions);
      const json = encodeJson(next);
      return call("compare-and-set", () =>
        exclusive(key, async () => {
          const current = await read(key);
          if ((current?.version ?? null) !== expectedVersion) return null;
          return toRecord<T>(await write(key, json, (current?.version ?? 0) + 1, expiresAt));
        }),
      );
    },
    async takeOnce<T>(key: string) {
      assertKey(key);
      return call("takeOnce", () =>
        exclusive(key, async () => {
          const current = await read(key);
          if (current === undefined) return undefined;
          await keyv.delete(key);
          return JSON.parse(current.v) as T;
        }),
      );
    },
    async list<T>(prefix: string, listOptions?: ListOptions) {
      const page = listPage(prefix, listOptions);
      return call("list", async () => {
        if (typeof keyv.iterator !== "function") {
          throw new StoreError("this keyv adapter cannot be iterated, so list is unavailable");
        }
        const at = now();
        const found: Array<{ key: string; envelope: Envelope }> = [];
        for await (const [key, envelope] of keyv.iterator(undefined) as AsyncIterable<[string, Envelope]>) {
          if (typeof key !== "string" || !key.startsWith(page.prefix)) continue;
          if (page.after !== undefined && compareKeys(key, page.after) <= 0) continue;
          if (!envelope || typeof envelope.v !== "string" || (envelope.exp !== null && envelope.exp <= at))
            continue;
          found.push({ key, envelope });
        }
        found.sort((a, b) => compareKeys(a.key, b.key));
        const items = found
          .slice(0, page.limit)
          .map(({ key, envelope }) => ({ key, record: toRecord<T>(envelope) }));
        const last = items[items.length - 1]?.key;
        return {
          items,
          nextCursor: found.length > page.limit && last !== undefined ? encodeCursor(last) : null,
        };
      });
    },
    /** Stops this store; the injected keyv instance stays open (its owner disconnects it). */
    async close() {
      guard.close();
    },
  } satisfies TokenStore;
}
