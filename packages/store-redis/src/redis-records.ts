import { StoreError } from "@securecontext/protocol";
import type { ListOptions, SetOptions, StoredRecord, TokenStore } from "@securecontext/token-store";
import {
  assertExpectedVersion,
  assertKey,
  compareKeys,
  encodeCursor,
  encodeJson,
  expiryOf,
  listPage,
} from "@securecontext/token-store";
import type { KeyLayout } from "./keys";
import type { RedisCaller } from "./redis-call";
import { writeRecord } from "./scripts";

interface Envelope {
  version: number;
  exp: number | null;
  v: unknown;
}

function parseEnvelope<T>(redisKey: string, text: string): StoredRecord<T> {
  let envelope: Envelope;
  try {
    envelope = JSON.parse(text) as Envelope;
  } catch (error) {
    throw new StoreError(`Redis key ${redisKey} does not hold an SCP record`, { cause: error });
  }
  if (typeof envelope?.version !== "number")
    throw new StoreError(`Redis key ${redisKey} does not hold an SCP record`);
  return {
    value: envelope.v as T,
    version: envelope.version,
    ...(typeof envelope.exp === "number" ? { expiresAt: envelope.exp } : {}),
  };
}

/**
 * Records as strings `{"version":n,"exp":ms|null,"v":…}` with `PXAT` expiry. Writes go through one
 * Lua script (version bump and compare-and-set are atomic on the server); takeOnce is `GETDEL`.
 */
export function redisRecords(
  call: RedisCaller,
  keys: KeyLayout,
  options: { now: () => number; scanCount: number; close: () => Promise<void> },
): TokenStore {
  const { now } = options;
  const write = async <T>(key: string, value: T, expected: string, setOptions: SetOptions | undefined) => {
    assertKey(key);
    const expiresAt = expiryOf(setOptions);
    const json = encodeJson(value);
    const expired = expiresAt !== undefined && expiresAt <= now();
    const version = await call.script<number>(
      "write",
      writeRecord,
      [keys.record(key)],
      [json, expiresAt === undefined ? "" : String(expiresAt), expired ? "1" : "0", expected],
    );
    if (version === -1) return null;
    return {
      value: JSON.parse(json) as T,
      version: Number(version),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    } satisfies StoredRecord<T>;
  };

  return {
    async get<T>(key: string) {
      assertKey(key);
      const redisKey = keys.record(key);
      const text = await call.command<string | null>("get", ["GET", redisKey]);
      return text === null ? undefined : parseEnvelope<T>(redisKey, text);
    },
    async set<T>(key: string, value: T, setOptions?: SetOptions) {
      return (await write(key, value, "*", setOptions))!;
    },
    async delete(key: string) {
      assertKey(key);
      return (await call.command<number>("delete", ["DEL", keys.record(key)])) > 0;
    },
    async compareAndSet<T>(key: string, expectedVersion: number | null, next: T, setOptions?: SetOptions) {
      assertExpectedVersion(expectedVersion);
      return write(key, next, expectedVersion === null ? "" : String(expectedVersion), setOptions);
    },
    async takeOnce<T>(key: string) {
      assertKey(key);
      const redisKey = keys.record(key);
      const text = await call.command<string | null>("takeOnce", ["GETDEL", redisKey]);
      return text === null ? undefined : parseEnvelope<T>(redisKey, text).value;
    },
    /**
     * SCANs every key matching the prefix, then sorts: each page costs O(matching keys). Keys come
     * in ascending order within and across pages; the cursor is opaque (the last key returned).
     */
    async list<T>(prefix: string, listOptions?: ListOptions) {
      const page = listPage(prefix, listOptions);
      const pattern = keys.recordPattern(page.prefix);
      const found = new Set<string>();
      let scanCursor = "0";
      do {
        const [next, batch] = await call.command<[string, string[]]>("list", [
          "SCAN",
          scanCursor,
          "MATCH",
          pattern,
          "COUNT",
          String(options.scanCount),
        ]);
        scanCursor = String(next);
        for (const redisKey of batch) {
          const key = keys.recordKeyOf(redisKey);
          if (key === undefined || !key.startsWith(page.prefix)) continue;
          if (page.after !== undefined && compareKeys(key, page.after) <= 0) continue;
          found.add(key);
        }
      } while (scanCursor !== "0");
      const sorted = [...found].sort(compareKeys);
      const items: Array<{ key: string; record: StoredRecord<T> }> = [];
      let index = 0;
      // Fetch in slices; keys that expired or were deleted since the scan are skipped.
      while (items.length < page.limit && index < sorted.length) {
        const slice = sorted.slice(index, index + page.limit - items.length);
        index += slice.length;
        const texts = await Promise.all(
          slice.map((key) => call.command<string | null>("list", ["GET", keys.record(key)])),
        );
        slice.forEach((key, i) => {
          const text = texts[i];
          if (text !== null && text !== undefined)
            items.push({ key, record: parseEnvelope<T>(keys.record(key), text) });
        });
      }
      const last = items[items.length - 1]?.key;
      return { items, nextCursor: index < sorted.length && last !== undefined ? encodeCursor(last) : null };
    },
    close: options.close,
  } satisfies TokenStore;
}
