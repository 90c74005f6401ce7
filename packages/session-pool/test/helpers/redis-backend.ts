import { randomBase62, StoreError, ValidationError } from "@securecontext/protocol";
import type { ListResult, StoreBackend, StoredRecord } from "@securecontext/token-store";
import { createClient } from "redis";

/**
 * TEST-ONLY Redis StoreBackend used until @securecontext/store-redis is available: versioned JSON
 * records with compare-and-set in Lua, GETDEL for takeOnce, SET NX PX leases with Lua release/extend
 * by owner and a fencing counter, INCR counters and pub/sub on a duplicate connection. `list` scans
 * and sorts (fine for test data sizes). The client fails fast while disconnected.
 */
export async function testRedisBackend(options: {
  url: string;
  prefix: string;
}): Promise<StoreBackend & { cleanup(): Promise<void> }> {
  const client = createClient({
    url: options.url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 1_000, reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 500) },
  });
  client.on("error", () => {});
  await client.connect();
  const subscriber = client.duplicate();
  subscriber.on("error", () => {});
  await subscriber.connect();
  const p = options.prefix;
  const run = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      throw new StoreError(`redis ${what} failed`, { cause: error });
    }
  };
  const k = (key: string) => {
    if (typeof key !== "string" || key.length === 0 || key.length > 1024) {
      throw new ValidationError("bad key", { field: "key" });
    }
    return p + key;
  };
  const cmd = (args: string[]) => client.sendCommand(args) as Promise<unknown>;

  const SET = `
local cur = redis.call('GET', KEYS[1])
local version = 0
if cur then version = cjson.decode(cur).v end
if ARGV[3] == 'cas' then
  local expected = tonumber(ARGV[4])
  if (expected == nil and cur) or (expected ~= nil and version ~= expected) then return nil end
end
version = version + 1
local exp = tonumber(ARGV[2])
redis.call('SET', KEYS[1], cjson.encode({v = version, d = ARGV[1], e = exp or false}))
if exp then redis.call('PEXPIREAT', KEYS[1], exp) end
return version`;
  const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
  const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

  const decode = <T>(raw: unknown): StoredRecord<T> | undefined => {
    if (typeof raw !== "string") return undefined;
    const parsed = JSON.parse(raw) as { v: number; d: string; e: number | false };
    if (parsed.e !== false && parsed.e <= Date.now()) return undefined;
    return {
      value: JSON.parse(parsed.d) as T,
      version: parsed.v,
      ...(parsed.e !== false ? { expiresAt: parsed.e } : {}),
    };
  };
  const write = async <T>(key: string, value: T, expiresAt: number | undefined, expected?: number | null) => {
    if (typeof key !== "string" || key.length === 0) throw new ValidationError("bad key", { field: "key" });
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      json = undefined;
    }
    if (json === undefined) throw new ValidationError("not JSON", { field: "value" });
    if (expiresAt !== undefined && !Number.isSafeInteger(expiresAt)) {
      throw new ValidationError("bad expiresAt", { field: "expiresAt" });
    }
    const args = [
      "EVAL",
      SET,
      "1",
      k(key),
      JSON.stringify(value),
      expiresAt === undefined ? "" : String(expiresAt),
    ];
    if (expected !== undefined) args.push("cas", expected === null ? "" : String(expected));
    const version = (await cmd(args)) as number | null;
    if (version === null) return null;
    return { value, version, ...(expiresAt !== undefined ? { expiresAt } : {}) } as StoredRecord<T>;
  };
  const allKeys = async (match: string) => {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: match, COUNT: 1000 })) keys.push(...batch);
    return keys;
  };
  const glob = (s: string) => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

  return {
    kind: "redis",
    records: {
      get: (key) => run("get", async () => decode(await cmd(["GET", k(key)]))),
      set: (key, value, setOptions) =>
        run("set", async () => (await write(key, value, setOptions?.expiresAt))!),
      delete: (key) => run("delete", async () => (await cmd(["DEL", k(key)])) === 1),
      compareAndSet: (key, expected, next, setOptions) =>
        run("compareAndSet", () => write(key, next, setOptions?.expiresAt, expected)),
      takeOnce: (key) =>
        run("takeOnce", async () => {
          const record = decode(await cmd(["GETDEL", k(key)]));
          return record?.value as never;
        }),
      list: (prefix, listOptions) =>
        run("list", async () => {
          const decoded = listOptions?.cursor
            ? Buffer.from(listOptions.cursor, "base64url").toString()
            : undefined;
          if (decoded !== undefined && !decoded.startsWith("k:"))
            throw new ValidationError("bad cursor", { field: "cursor" });
          const after = decoded?.slice(2);
          const limit = listOptions?.limit ?? 100;
          if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
            throw new ValidationError("bad limit", { field: "limit" });
          const keys = (await allKeys(`${glob(p + prefix)}*`))
            .map((k) => k.slice(p.length))
            .filter((k) => after === undefined || k > after)
            .sort();
          const items: ListResult["items"] = [];
          let last: string | undefined;
          for (const key of keys) {
            if (items.length === limit) break;
            last = key;
            const record = decode(await cmd(["GET", p + key]));
            if (record) items.push({ key, record });
          }
          const more = last !== undefined && keys.indexOf(last) < keys.length - 1;
          return { items, nextCursor: more ? Buffer.from(`k:${last}`).toString("base64url") : null } as never;
        }),
      close: async () => {},
    },
    locks: {
      acquire: (key, ttlMs) => {
        if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
          return Promise.reject(new ValidationError("ttlMs must be positive", { field: "ttlMs" }));
        }
        return run("lock", async () => {
          const token = randomBase62(43);
          const ok = await cmd(["SET", `${p}lease:${key}`, token, "NX", "PX", String(ttlMs)]);
          if (ok !== "OK") return null;
          const fence = (await cmd(["INCR", `${p}fence:${key}`])) as number;
          return { token, fence, expiresAt: Date.now() + ttlMs };
        });
      },
      release: (key, token) =>
        run("release", async () => (await cmd(["EVAL", RELEASE, "1", `${p}lease:${key}`, token])) === 1),
      extend: (key, token, ttlMs) =>
        run(
          "extend",
          async () => (await cmd(["EVAL", EXTEND, "1", `${p}lease:${key}`, token, String(ttlMs)])) === 1,
        ),
    },
    counters: {
      increment: (key, windowMs) =>
        run("increment", async () => {
          const count = (await cmd(["INCR", `${p}ctr:${key}`])) as number;
          if (count === 1) await cmd(["PEXPIRE", `${p}ctr:${key}`, String(windowMs)]);
          const ttl = (await cmd(["PTTL", `${p}ctr:${key}`])) as number;
          return { count, resetAt: Date.now() + Math.max(0, ttl) };
        }),
    },
    pubsub: {
      publish: (channel, message) =>
        run("publish", async () => void (await client.publish(p + channel, message))),
      subscribe: (channel, handler) =>
        run("subscribe", async () => {
          const listener = (message: string) => {
            try {
              handler(message);
            } catch {
              // one failing handler must not affect the others
            }
          };
          await subscriber.subscribe(p + channel, listener);
          return async () => {
            await subscriber.unsubscribe(p + channel, listener).catch(() => {});
          };
        }),
    },
    ping: () => run("ping", async () => void (await client.ping())),
    async cleanup() {
      const keys = await allKeys(`${glob(p)}*`);
      for (let i = 0; i < keys.length; i += 500) await client.del(keys.slice(i, i + 500));
    },
    async close() {
      await Promise.allSettled([client.quit(), subscriber.quit()]);
    },
  };
}

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
