/**
 * Conformance suites every store runs, parameterised by the test runner's functions so this module
 * imports nothing from vitest at runtime.
 *
 * @example
 * ```ts
 * import { afterEach, describe, expect, it } from "vitest";
 * import { memoryBackend } from "@securecontext/token-store";
 * import { runBackendSuite, runTokenStoreSuite } from "@securecontext/token-store/testing";
 *
 * runTokenStoreSuite({ describe, it, expect, afterEach }, () => memoryBackend().records);
 * runBackendSuite({ describe, it, expect, afterEach }, () => memoryBackend());
 * ```
 *
 * @packageDocumentation
 */
import type { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JsonText } from "./json-text";
import type { StoreBackend, TokenStore } from "./types";

/** The test-runner functions the suites use (vitest's; anything with the same shape works). */
export interface SuiteApi {
  describe: typeof describe;
  it: typeof it;
  expect: typeof expect;
  beforeEach?: typeof beforeEach;
  afterEach?: typeof afterEach;
}

export interface SuiteOptions<S> {
  /** Suite title (default "TokenStore conformance" / "StoreBackend conformance"). */
  name?: string;
  /** Called after each test with the subject (default: `close()`); delete test keys here. */
  teardown?: (subject: S) => Promise<void>;
  /** Timing slack for expiry tests in ms (default 150); raise it for slow remote stores. */
  timeSlackMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const uniq = () => `t${Math.random().toString(36).slice(2, 10)}:`;

function lifecycle<S extends { close(): Promise<void> }>(
  api: SuiteApi,
  factory: () => S | Promise<S>,
  options: SuiteOptions<S>,
) {
  const opened: S[] = [];
  const open = async () => {
    const subject = await factory();
    opened.push(subject);
    return subject;
  };
  const cleanup = async () => {
    for (const subject of opened.splice(0)) {
      await (options.teardown ? options.teardown(subject) : subject.close());
    }
  };
  if (api.afterEach) api.afterEach(cleanup);
  // Without afterEach, every test cleans up its own subject at its end.
  const test = (title: string, body: (s: S, p: string) => Promise<void>) =>
    api.it(title, async () => {
      try {
        await body(await open(), uniq());
      } finally {
        if (!api.afterEach) await cleanup();
      }
    });
  return test;
}

/**
 * The `TokenStore` contract: get/set/delete, versions, expiry, compare-and-set races, takeOnce
 * under concurrency, list with prefix and cursors. Every test works under its own random key
 * prefix, so a shared store is fine.
 */
export function runTokenStoreSuite(
  api: SuiteApi,
  factory: () => TokenStore | Promise<TokenStore>,
  options: SuiteOptions<TokenStore> = {},
): void {
  const { describe, expect } = api;
  const slack = options.timeSlackMs ?? 150;
  describe(options.name ?? "TokenStore conformance", () => {
    const test = lifecycle(api, factory, options);

    test("get of a missing key is undefined", async (store, p) => {
      expect(await store.get(`${p}missing`)).toBeUndefined();
    });

    test("set then get returns the value with version 1, copied", async (store, p) => {
      const value = { a: 1, nested: { list: [1, "two", null, true] }, text: "ünïcødé ✓" };
      const written = await store.set(`${p}k`, value);
      expect(written).toEqual({ value, version: 1 });
      value.a = 99;
      const read = await store.get(`${p}k`);
      expect(read).toEqual({
        value: { a: 1, nested: { list: [1, "two", null, true] }, text: "ünïcødé ✓" },
        version: 1,
      });
    });

    test("stores every JSON kind", async (store, p) => {
      for (const [i, value] of ["s", 0, -1.5, true, false, null, [], {}, [{ x: [] }]].entries()) {
        await store.set(`${p}${i}`, value);
        expect((await store.get(`${p}${i}`))?.value).toEqual(value);
      }
    });

    test("a JsonText value is stored as the JSON it holds and read back parsed", async (store, p) => {
      const events = [
        { id: "evt_1", detail: { n: 1 } },
        { id: "evt_2", at: "ünï" },
      ];
      const text = new JsonText(`[${events.map((event) => JSON.stringify(event)).join(",")}]`);
      expect((await store.set(`${p}k`, text)).version).toBe(1);
      expect((await store.get(`${p}k`))?.value).toEqual(events);
      if (store.compareAndSetMany) {
        const head = await store.compareAndSetMany(`${p}head`, null, { last: 2 }, [
          { key: `${p}row`, value: text },
        ]);
        expect(head?.version).toBe(1);
        expect((await store.get(`${p}row`))?.value).toEqual(events);
      }
      // Inside another value it serializes through toJSON, like for any JSON.stringify.
      await store.set(`${p}nested`, { rows: [text] });
      expect((await store.get(`${p}nested`))?.value).toEqual({ rows: [events] });
    });

    test("every write bumps the version; delete resets it", async (store, p) => {
      expect((await store.set(`${p}k`, "a")).version).toBe(1);
      expect((await store.set(`${p}k`, "b")).version).toBe(2);
      const cas = await store.compareAndSet(`${p}k`, 2, "c");
      expect(cas?.version).toBe(3);
      expect(await store.get(`${p}k`)).toEqual({ value: "c", version: 3 });
      expect(await store.delete(`${p}k`)).toBe(true);
      expect(await store.delete(`${p}k`)).toBe(false);
      expect(await store.get(`${p}k`)).toBeUndefined();
      expect((await store.set(`${p}k`, "d")).version).toBe(1);
    });

    test("setMany (where offered) writes every entry like set, or none when one is invalid", async (store, p) => {
      if (!store.setMany) return;
      await store.set(`${p}b`, "old");
      await store.setMany([
        { key: `${p}a`, value: { n: 1 } },
        { key: `${p}b`, value: "new" },
        { key: `${p}c`, value: [1, 2], options: { expiresAt: Date.now() + 60_000 } },
      ]);
      expect(await store.get(`${p}a`)).toEqual({ value: { n: 1 }, version: 1 });
      expect(await store.get(`${p}b`)).toEqual({ value: "new", version: 2 });
      expect((await store.get(`${p}c`))?.expiresAt).toBeGreaterThan(Date.now());
      await expect(
        store.setMany([
          { key: `${p}d`, value: 1 },
          { key: "", value: 2 },
        ]),
      ).rejects.toMatchObject({ code: "invalid_request" });
      expect(await store.get(`${p}d`)).toBeUndefined();
    });

    test("compareAndSetMany (where offered) commits the pointer and its records together, or nothing", async (store, p) => {
      if (!store.compareAndSetMany) return;
      const first = await store.compareAndSetMany(`${p}head`, null, { seq: 2 }, [
        { key: `${p}ev1`, value: "one" },
        { key: `${p}ev2`, value: "two" },
      ]);
      expect(first).toMatchObject({ value: { seq: 2 }, version: 1 });
      expect(await store.get(`${p}ev2`)).toEqual({ value: "two", version: 1 });
      // A stale version writes nothing at all.
      expect(
        await store.compareAndSetMany(`${p}head`, null, { seq: 3 }, [{ key: `${p}ev3`, value: "three" }]),
      ).toBeNull();
      expect(await store.get(`${p}ev3`)).toBeUndefined();
      expect((await store.get(`${p}head`))?.value).toEqual({ seq: 2 });
      // A bad entry, or the compared key among the entries, writes nothing either.
      await expect(
        store.compareAndSetMany(`${p}head`, 1, { seq: 4 }, [
          { key: `${p}ev4`, value: 4 },
          { key: "", value: 5 },
        ]),
      ).rejects.toMatchObject({ code: "invalid_request" });
      await expect(
        store.compareAndSetMany(`${p}head`, 1, { seq: 4 }, [{ key: `${p}head`, value: 4 }]),
      ).rejects.toMatchObject({ code: "invalid_request", field: "alsoSet" });
      expect(await store.get(`${p}ev4`)).toBeUndefined();
      const second = await store.compareAndSetMany(`${p}head`, 1, { seq: 4 }, [{ key: `${p}ev4`, value: 4 }]);
      expect(second?.version).toBe(2);
      expect((await store.get(`${p}ev4`))?.value).toBe(4);
    });

    test("rejects invalid keys and non-JSON values", async (store, p) => {
      await expect(store.get("")).rejects.toMatchObject({ code: "invalid_request" });
      await expect(store.set(`${p}k`, undefined)).rejects.toMatchObject({ code: "invalid_request" });
      await expect(store.set(`${p}k`, 1, { expiresAt: Number.NaN })).rejects.toMatchObject({
        code: "invalid_request",
      });
      await expect(store.list(p, { limit: 0 })).rejects.toMatchObject({ code: "invalid_request" });
      await expect(store.list(p, { cursor: "not-a-cursor" })).rejects.toMatchObject({
        code: "invalid_request",
      });
    });

    test("expiresAt makes a record absent afterwards (get, list, takeOnce, CAS)", async (store, p) => {
      const expiresAt = Date.now() + slack;
      const written = await store.set(`${p}short`, "x", { expiresAt });
      expect(written.expiresAt).toBe(expiresAt);
      await store.set(`${p}short2`, "y", { expiresAt });
      await store.set(`${p}long`, "z", { expiresAt: Date.now() + 60_000 });
      expect((await store.get(`${p}short`))?.expiresAt).toBe(expiresAt);
      await sleep(slack * 2 + 50);
      expect(await store.get(`${p}short`)).toBeUndefined();
      expect(await store.takeOnce(`${p}short2`)).toBeUndefined();
      expect((await store.list(p)).items.map((i) => i.key)).toEqual([`${p}long`]);
      // An expired record counts as absent for compare-and-set, and its version restarts.
      expect(await store.compareAndSet(`${p}short`, 1, "again")).toBeNull();
      expect((await store.compareAndSet(`${p}short`, null, "again"))?.version).toBe(1);
    });

    test("an expiresAt in the past writes nothing readable", async (store, p) => {
      await store.set(`${p}k`, "x", { expiresAt: Date.now() - 1000 });
      expect(await store.get(`${p}k`)).toBeUndefined();
    });

    test("set without expiresAt clears an earlier expiry", async (store, p) => {
      await store.set(`${p}k`, "x", { expiresAt: Date.now() + slack });
      await store.set(`${p}k`, "y");
      await sleep(slack * 2 + 50);
      expect(await store.get(`${p}k`)).toEqual({ value: "y", version: 2 });
    });

    test("compareAndSet: null means absent; a wrong version writes nothing", async (store, p) => {
      expect((await store.compareAndSet(`${p}k`, null, "first"))?.version).toBe(1);
      expect(await store.compareAndSet(`${p}k`, null, "again")).toBeNull();
      expect(await store.compareAndSet(`${p}k`, 5, "wrong")).toBeNull();
      expect(await store.compareAndSet(`${p}absent`, 1, "wrong")).toBeNull();
      expect(await store.get(`${p}absent`)).toBeUndefined();
      const next = await store.compareAndSet(`${p}k`, 1, { n: 2 }, { expiresAt: Date.now() + 60_000 });
      expect(next).toMatchObject({ value: { n: 2 }, version: 2 });
      expect(await store.get(`${p}k`)).toMatchObject({ value: { n: 2 }, version: 2 });
    });

    test("50 concurrent compareAndSet on one version: exactly one wins", async (store, p) => {
      const base = await store.set(`${p}race`, { writer: -1 });
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, writer) => store.compareAndSet(`${p}race`, base.version, { writer })),
      );
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      const final = await store.get<{ writer: number }>(`${p}race`);
      expect(final?.version).toBe(base.version + 1);
      expect(final?.value).toEqual(winners[0]?.value);
    });

    test("50 concurrent compareAndSet on an absent key: exactly one creates it", async (store, p) => {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, writer) => store.compareAndSet(`${p}new`, null, { writer })),
      );
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    });

    test("takeOnce returns the value once and deletes it", async (store, p) => {
      await store.set(`${p}code`, { state: "s1" });
      expect(await store.takeOnce(`${p}code`)).toEqual({ state: "s1" });
      expect(await store.takeOnce(`${p}code`)).toBeUndefined();
      expect(await store.get(`${p}code`)).toBeUndefined();
    });

    test("50 concurrent takeOnce: exactly one caller gets the value", async (store, p) => {
      await store.set(`${p}once`, "the-code");
      const results = await Promise.all(Array.from({ length: 50 }, () => store.takeOnce(`${p}once`)));
      expect(results.filter((r) => r !== undefined)).toEqual(["the-code"]);
    });

    test("list: only the prefix, ascending, with versions and expiry", async (store, p) => {
      await store.set(`${p}b`, 2);
      await store.set(`${p}a`, 1, { expiresAt: Date.now() + 60_000 });
      await store.set(`${p}c`, 3);
      await store.set(`${p}c`, 33);
      await store.set(`${p.slice(0, -1)}x:other`, 0);
      const page = await store.list(p);
      expect(page.items.map((i) => i.key)).toEqual([`${p}a`, `${p}b`, `${p}c`]);
      expect(page.items[2]?.record).toEqual({ value: 33, version: 2 });
      expect(page.items[0]?.record.expiresAt).toBeGreaterThan(Date.now());
      expect(page.nextCursor).toBeNull();
      expect((await store.list(`${p}zz`)).items).toEqual([]);
      await store.delete(`${p.slice(0, -1)}x:other`);
    });

    test("list pages with cursors: every key exactly once, in order", async (store, p) => {
      const keys = Array.from({ length: 23 }, (_, i) => `${p}item:${String(i).padStart(3, "0")}`);
      await Promise.all([...keys].reverse().map((key, i) => store.set(key, i)));
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.list(`${p}item:`, { limit: 5, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(5);
        seen.push(...page.items.map((i) => i.key));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor && pages < 20);
      expect(pages).toBeGreaterThanOrEqual(5);
      expect(seen).toEqual(keys);
    });

    test("list sees writes made between pages (not a snapshot) and skips deleted keys", async (store, p) => {
      for (const k of ["a", "b", "c", "d"]) await store.set(`${p}${k}`, k);
      const first = await store.list(p, { limit: 2 });
      expect(first.items.map((i) => i.key)).toEqual([`${p}a`, `${p}b`]);
      await store.delete(`${p}c`);
      await store.set(`${p}e`, "e");
      const rest: string[] = [];
      let cursor = first.nextCursor ?? undefined;
      while (cursor) {
        const page = await store.list(p, { limit: 2, cursor });
        rest.push(...page.items.map((i) => i.key));
        cursor = page.nextCursor ?? undefined;
      }
      expect(rest).toEqual([`${p}d`, `${p}e`]);
    });

    test("keys with glob and hash-tag characters are literal", async (store, p) => {
      const odd = [`${p}a*b`, `${p}a?c`, `${p}a[d]`, `${p}{x}y`, `${p}a\\z`, `${p}ü`];
      for (const key of odd) await store.set(key, key);
      await store.set(`${p}aXb`, "decoy");
      for (const key of odd) expect((await store.get(key))?.value).toBe(key);
      expect((await store.list(`${p}a*`)).items.map((i) => i.key)).toEqual([`${p}a*b`]);
      expect((await store.list(`${p}{x}`)).items.map((i) => i.key)).toEqual([`${p}{x}y`]);
    });
  });
}

/**
 * The `StoreBackend` contract: the records suite plus locks (ownership, expiry, fencing), counters
 * and pub/sub.
 */
export function runBackendSuite(
  api: SuiteApi,
  factory: () => StoreBackend | Promise<StoreBackend>,
  options: SuiteOptions<StoreBackend> = {},
): void {
  const { describe, expect } = api;
  const slack = options.timeSlackMs ?? 150;
  describe(options.name ?? "StoreBackend conformance", () => {
    const recordsByBackend = new Map<TokenStore, StoreBackend>();
    runTokenStoreSuite(
      api,
      async () => {
        const backend = await factory();
        recordsByBackend.set(backend.records, backend);
        return backend.records;
      },
      {
        name: "records",
        timeSlackMs: slack,
        teardown: async (records) => {
          const backend = recordsByBackend.get(records)!;
          recordsByBackend.delete(records);
          await (options.teardown ? options.teardown(backend) : backend.close());
        },
      },
    );

    const test = lifecycle(api, factory, options);

    test("ping resolves; kind is named", async (backend) => {
      await expect(backend.ping()).resolves.toBeUndefined();
      expect(typeof backend.kind).toBe("string");
    });

    test("lock: one holder at a time; release only by its owner", async (backend, p) => {
      const lease = await backend.locks.acquire(`${p}lock`, 10_000);
      expect(lease).not.toBeNull();
      expect(lease?.token.length).toBeGreaterThanOrEqual(16);
      expect(lease?.expiresAt).toBeGreaterThan(Date.now());
      expect(await backend.locks.acquire(`${p}lock`, 10_000)).toBeNull();
      expect(await backend.locks.release(`${p}lock`, "not-the-owner")).toBe(false);
      expect(await backend.locks.extend(`${p}lock`, "not-the-owner", 10_000)).toBe(false);
      expect(await backend.locks.acquire(`${p}lock`, 10_000)).toBeNull();
      expect(await backend.locks.release(`${p}lock`, lease!.token)).toBe(true);
      expect(await backend.locks.release(`${p}lock`, lease!.token)).toBe(false);
      const next = await backend.locks.acquire(`${p}lock`, 10_000);
      expect(next).not.toBeNull();
      expect(next!.fence).toBeGreaterThan(lease!.fence);
      expect(next!.token).not.toBe(lease!.token);
      await backend.locks.release(`${p}lock`, next!.token);
    });

    test("lock: 50 concurrent acquires, exactly one lease", async (backend, p) => {
      const leases = await Promise.all(
        Array.from({ length: 50 }, () => backend.locks.acquire(`${p}lock`, 10_000)),
      );
      const held = leases.filter((l) => l !== null);
      expect(held).toHaveLength(1);
      await backend.locks.release(`${p}lock`, held[0]!.token);
    });

    test("lock: expiry lets another acquire, and the stale owner can no longer release or extend", async (backend, p) => {
      const first = await backend.locks.acquire(`${p}lock`, slack);
      expect(first).not.toBeNull();
      await sleep(slack * 2 + 50);
      const second = await backend.locks.acquire(`${p}lock`, 10_000);
      expect(second).not.toBeNull();
      expect(second!.fence).toBeGreaterThan(first!.fence);
      expect(await backend.locks.release(`${p}lock`, first!.token)).toBe(false);
      expect(await backend.locks.extend(`${p}lock`, first!.token, 10_000)).toBe(false);
      expect(await backend.locks.release(`${p}lock`, second!.token)).toBe(true);
    });

    test("lock: extend by the owner keeps the lease past its first ttl", async (backend, p) => {
      const lease = await backend.locks.acquire(`${p}lock`, slack * 2);
      expect(await backend.locks.extend(`${p}lock`, lease!.token, 10_000)).toBe(true);
      await sleep(slack * 2 + 100);
      expect(await backend.locks.acquire(`${p}lock`, 10_000)).toBeNull();
      expect(await backend.locks.release(`${p}lock`, lease!.token)).toBe(true);
    });

    test("lock: fences strictly increase across acquires and are per key", async (backend, p) => {
      const fences: number[] = [];
      for (let i = 0; i < 5; i++) {
        const lease = await backend.locks.acquire(`${p}lock`, 10_000);
        fences.push(lease!.fence);
        await backend.locks.release(`${p}lock`, lease!.token);
      }
      for (let i = 1; i < fences.length; i++) expect(fences[i]).toBeGreaterThan(fences[i - 1]!);
      const other = await backend.locks.acquire(`${p}other`, 10_000);
      expect(other).not.toBeNull();
      // A lock key and a record key with the same name do not interfere.
      await backend.records.set(`${p}lock`, "record");
      expect((await backend.records.get(`${p}lock`))?.value).toBe("record");
      expect(await backend.locks.release(`${p}other`, other!.token)).toBe(true);
    });

    test("lock: rejects a non-positive ttl", async (backend, p) => {
      await expect(backend.locks.acquire(`${p}lock`, 0)).rejects.toMatchObject({ code: "invalid_request" });
    });

    test("counters: count within a window, reset after it", async (backend, p) => {
      const window = slack * 2;
      const first = await backend.counters.increment(`${p}rate`, window);
      expect(first.count).toBe(1);
      expect(first.resetAt).toBeGreaterThan(Date.now());
      expect(first.resetAt).toBeLessThanOrEqual(Date.now() + window + 50);
      expect((await backend.counters.increment(`${p}rate`, window)).count).toBe(2);
      expect((await backend.counters.increment(`${p}other`, window)).count).toBe(1);
      await sleep(window + 100);
      expect((await backend.counters.increment(`${p}rate`, window)).count).toBe(1);
    });

    test("counters: 50 concurrent increments count 50", async (backend, p) => {
      const results = await Promise.all(
        Array.from({ length: 50 }, () => backend.counters.increment(`${p}rate`, 60_000)),
      );
      expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
    });

    test("pubsub: delivers to every subscriber of the channel, then unsubscribe stops it", async (backend, p) => {
      const a: string[] = [];
      const b: string[] = [];
      const other: string[] = [];
      const offA = await backend.pubsub.subscribe(`${p}chan`, (m) => a.push(m));
      const offB = await backend.pubsub.subscribe(`${p}chan`, (m) => b.push(m));
      const offOther = await backend.pubsub.subscribe(`${p}elsewhere`, (m) => other.push(m));
      await backend.pubsub.publish(`${p}chan`, "one");
      await backend.pubsub.publish(`${p}chan`, "two");
      await waitFor(() => a.length === 2 && b.length === 2);
      expect(a).toEqual(["one", "two"]);
      expect(b).toEqual(["one", "two"]);
      await offA();
      await backend.pubsub.publish(`${p}chan`, "three");
      await waitFor(() => b.length === 3);
      await sleep(50);
      expect(a).toEqual(["one", "two"]);
      expect(other).toEqual([]);
      await offB();
      await offOther();
    });

    test("pubsub: a throwing handler does not stop the others", async (backend, p) => {
      const got: string[] = [];
      const offBad = await backend.pubsub.subscribe(`${p}chan`, () => {
        throw new Error("handler failure");
      });
      const offGood = await backend.pubsub.subscribe(`${p}chan`, (m) => got.push(m));
      await backend.pubsub.publish(`${p}chan`, "x");
      await waitFor(() => got.length === 1);
      await offBad();
      await offGood();
    });
  });

  async function waitFor(condition: () => boolean, timeoutMs = 3000) {
    const started = Date.now();
    while (!condition()) {
      if (Date.now() - started > timeoutMs) throw new Error("condition not met in time");
      await sleep(5);
    }
  }
}
