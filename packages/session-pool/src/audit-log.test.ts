import { createHash } from "node:crypto";
import type { AuditEvent } from "@securecontext/protocol";
import { redactDeep } from "@securecontext/protocol";
import { type Lock, memoryBackend, type TokenStore } from "@securecontext/token-store";
import { describe, expect, it } from "vitest";
import { canonicalData, canonicalEventJson, canonicalJson, GENESIS_HASH } from "./audit-canonical";
import { type AuditLog, createAuditLog } from "./audit-log";

const base = { type: "connection.created", actor: "admin", outcome: "success" } as const;

/** Where an event is stored: its row's key, and its place in the row (a batch, oldest first). */
interface StoredEvent {
  key: string;
  index: number;
  value: AuditEvent;
}

/** Every stored event, newest first, read raw from the store's rows. */
async function allEvents(records: TokenStore): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await records.list<AuditEvent[] | AuditEvent>("audit:ev:", { cursor, limit: 1000 });
    for (const { key, record } of page.items) {
      const row = Array.isArray(record.value) ? record.value : [record.value];
      for (let index = row.length - 1; index >= 0; index--)
        out.push({ key, index, value: row[index] as AuditEvent });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

/** Replaces (or, with undefined, removes) one stored event inside its row, as an attacker with store access could. */
async function rewriteEvent(
  records: TokenStore,
  at: StoredEvent,
  event: AuditEvent | undefined,
): Promise<void> {
  const row = (await records.get<AuditEvent[]>(at.key))?.value ?? [];
  if (event === undefined) row.splice(at.index, 1);
  else row[at.index] = event;
  if (row.length === 0) await records.delete(at.key);
  else await records.set(at.key, row);
}

/** `records` whose `compareAndSetMany` (the audit commit) throws `message` while `failing` is set. */
function failingCommits(records: TokenStore, message: string): TokenStore & { failing: boolean } {
  const flaky = {
    ...records,
    failing: false,
    compareAndSetMany: async (...args: Parameters<NonNullable<TokenStore["compareAndSetMany"]>>) => {
      if (flaky.failing) throw new Error(message);
      return records.compareAndSetMany?.(...args) ?? null;
    },
  };
  return flaky as TokenStore & { failing: boolean };
}

/**
 * `records` without `compareAndSetMany` (the head commit and the batch's row are two writes) whose
 * event-row writes throw while `failing` is set: a writer crashing after its commit.
 */
function failingRowWrites(records: TokenStore): TokenStore & { failing: boolean } {
  const flaky = {
    ...records,
    failing: false,
    compareAndSetMany: undefined,
    set: async (...args: Parameters<TokenStore["set"]>) => {
      if (args[0].startsWith("audit:ev:") && flaky.failing) throw new Error("crash");
      return records.set(...args);
    },
  };
  return flaky as TokenStore & { failing: boolean };
}

/**
 * A writer on {@link failingRowWrites} that appended `first`, then crashed after committing a batch
 * of `count` appends (actions `<prefix>0`, `<prefix>1`, …) whose row it never stored.
 */
async function crashAfterCommit(count: number, prefix: string) {
  const backend = memoryBackend();
  const flaky = failingRowWrites(backend.records);
  const crashing = createAuditLog({ records: flaky, locks: backend.locks });
  await crashing.append({ ...base, action: "first" });
  flaky.failing = true;
  const results = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => crashing.append({ ...base, action: `${prefix}${i}` })),
  );
  return { backend, flaky, crashing, results };
}

/** Every event's action, newest first, read through `list` `limit` at a time. */
async function pagedActions(audit: AuditLog, limit: number): Promise<string[]> {
  const actions: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await audit.list({ limit, cursor });
    actions.push(...page.items.map((event) => event.action ?? ""));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return actions;
}

/** The key of the row holding the event with sequence number `seq` when every row holds one event. */
const singleRowKey = (seq: number) => `audit:ev:${String(10 ** 15 - 1 - seq).padStart(15, "0")}`;

describe("audit log", () => {
  it("chains events with sha256(prevHash + canonical JSON without hash)", async () => {
    const { records, locks } = memoryBackend();
    let clock = Date.parse("2025-01-01T00:00:00Z");
    const audit = createAuditLog({ records, locks, now: () => clock++ });
    const first = await audit.append({
      ...base,
      clientId: "cli_a",
      userId: "u1",
      connectionId: "con_1",
      ip: "10.0.0.1",
    });
    const second = await audit.append({
      ...base,
      type: "session.created",
      actor: "client:cli_a",
      userId: "u1",
    });

    expect(first.id).toMatch(/^aud_[0-9A-Za-z]{22}$/);
    expect(first.at).toBe("2025-01-01T00:00:00.000Z");
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(second.prevHash).toBe(first.hash);
    const { hash, ...withoutHash } = second;
    const sorted = Object.fromEntries(Object.entries(withoutHash).sort(([a], [b]) => a.localeCompare(b)));
    const expected = createHash("sha256")
      .update(second.prevHash + JSON.stringify(sorted))
      .digest("hex");
    expect(hash).toBe(expected);
    expect(await audit.verify()).toEqual({ valid: true, count: 2 });
  });

  it("canonical JSON sorts keys at every depth and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it("the event serializer gives exactly the generic canonical JSON, tampered members included", () => {
    const optional = ["action", "clientId", "connectionId", "sessionId", "ip", "userId", "detail"] as const;
    const texts = [
      "plain",
      'quote " and \\ backslash',
      "ünïcødé ✓",
      "line\nbreak",
      "\u2028",
      "",
      "tab\tand\u0001control",
      "del\u007f",
      "lone \ud800 surrogate",
      "~ !#$%&'()*+,-./:;<=>?@[]^_`{|}",
    ];
    let seed = 7;
    const pick = <T>(items: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return items[seed % items.length] as T;
    };
    for (let i = 0; i < 300; i++) {
      const event: Record<string, unknown> = {
        id: `aud_${i}`,
        at: new Date(1_700_000_000_000 + i).toISOString(),
        type: pick(["token.issued", "session.created"]),
        actor: pick(texts),
        outcome: pick(["success", "failure", "denied"]),
        prevHash: GENESIS_HASH,
        hash: "f".repeat(64),
      };
      for (const key of optional) {
        if (pick([true, false])) {
          event[key] =
            key === "detail" ? { z: pick(texts), a: [1, { y: null, b: pick(texts) }] } : pick(texts);
        }
      }
      if (i % 10 === 0) event.zExtra = pick(texts); // tampered: a member no event has
      if (i % 15 === 0) event.actor = 42; // tampered: a wrong type
      if (i % 20 === 0) event.userId = undefined;
      const { hash: _hash, ...body } = event;
      expect(canonicalEventJson(event)).toBe(canonicalJson(body));
    }
  });

  it("hashes appended events whose strings need escaping exactly as verify recomputes them", async () => {
    const { records, locks } = memoryBackend();
    const audit = createAuditLog({ records, locks });
    const awkward = ['q"\\', "tab\t\u0001", "ünï ✓", "lone \ud800", "\u2028", "del\u007f"];
    for (const [i, text] of awkward.entries()) {
      const event = await audit.append({
        type: "token.issued",
        actor: `client:${text}`,
        outcome: "success",
        userId: text,
        connectionId: `con_${i}`,
        ip: text,
        detail: { note: text, [String(i)]: text },
      });
      const { hash, ...body } = event;
      expect(hash).toBe(
        createHash("sha256")
          .update(event.prevHash + canonicalJson(body))
          .digest("hex"),
      );
    }
    const stored = (await audit.list({ limit: 10 })).items;
    expect(stored.map((event) => event.userId).reverse()).toEqual(awkward);
    expect(await audit.verify()).toEqual({ valid: true, count: awkward.length });
  });

  it("canonical data serializes natively to its canonical JSON, and survives a JSON round trip", () => {
    let seed = 11;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      // The high bits: an LCG's low bits repeat with short periods.
      return Math.floor(seed / 2 ** 15) % n;
    };
    const keys = ["b", "a", "zz", "Z", "é", "2", "10", "0", "01", "1e3", "-1", "", "__proto_"];
    const leaf = (): unknown =>
      [
        "text",
        'q"\\',
        "\u2028",
        0,
        -0,
        1.5,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        true,
        null,
        undefined,
        () => 1,
        Symbol("s"),
        new Date(1_700_000_000_000),
        { toJSON: () => ({ y: 1, x: 2 }) },
        new String("boxed"),
      ][next(16)];
    const value = (depth: number): unknown => {
      if (depth > 3 || next(3) === 0) return leaf();
      if (next(2) === 0) return Array.from({ length: next(4) }, () => value(depth + 1));
      const out: Record<string, unknown> = {};
      for (let i = next(5); i > 0; i--) out[keys[next(keys.length)] as string] = value(depth + 1);
      return out;
    };
    let nonNative = 0;
    for (let i = 0; i < 500; i++) {
      const { data, native } = canonicalData({ root: value(0) });
      const canonical = canonicalJson(data);
      if (native) expect(JSON.stringify(data)).toBe(canonical);
      else nonNative++;
      // What the store gives back hashes the same as what was hashed on append.
      expect(canonicalJson(JSON.parse(JSON.stringify(data)))).toBe(canonical);
    }
    expect(nonNative).toBeGreaterThan(0);
    expect(() => canonicalData({ n: 1n })).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalData(cyclic)).toThrow(TypeError);
  });

  it("verifies events whose detail holds dates, toJSON values, index keys and dropped members", async () => {
    const { records, locks } = memoryBackend();
    const audit = createAuditLog({ records, locks });
    const details = [
      { when: new Date(1_700_000_000_000), list: [undefined, Number.NaN, () => 0] },
      { "10": "ten", "2": "two", b: { "1": 1, a: 2 } },
      { nested: { toJSON: () => ({ z: 1, a: [new Date(0)] }) }, gone: undefined },
      { b: 1, a: "x" },
    ];
    const appended = [];
    for (const detail of details) appended.push(await audit.append({ ...base, detail }));
    expect(await audit.verify()).toEqual({ valid: true, count: details.length });
    for (const { value } of await allEvents(records)) {
      const { hash, ...body } = value;
      expect(hash).toBe(
        createHash("sha256")
          .update(value.prevHash + canonicalJson(body))
          .digest("hex"),
      );
    }
    expect(appended[0]?.detail).toEqual({ list: [null, null, null], when: "2023-11-14T22:13:20.000Z" });
    await expect(audit.append({ ...base, detail: { n: 1n } })).rejects.toMatchObject({
      code: "invalid_request",
      field: "detail",
    });
  });

  it("stores each batch row as exactly the JSON of the events it returned, index-key details included", async () => {
    const { records, locks } = memoryBackend();
    const audit = createAuditLog({ records, locks });
    const appended = await Promise.all([
      audit.append({ ...base, detail: { forceRefresh: false } }),
      audit.append({ ...base, detail: { "10": "ten", "2": "two", quote: 'say "hi"\\' } }),
      audit.append({ ...base, userId: "ünïcødé \u2028", ip: "127.0.0.1" }),
    ]);
    const rows = await records.list<AuditEvent[]>("audit:ev:");
    expect(rows.items).toHaveLength(1);
    const row = rows.items[0]?.record.value as AuditEvent[];
    // Same members in the same order: the stored text is what serializing the events gives.
    expect(JSON.stringify(row)).toBe(JSON.stringify(appended));
    expect(await audit.verify()).toEqual({ valid: true, count: 3 });
  });

  it("stores flat details sorted, with secret-named members redacted whatever their type", async () => {
    const { records, locks } = memoryBackend();
    const audit = createAuditLog({ records, locks });
    const plain = await audit.append({
      ...base,
      detail: { zeta: 1, alpha: false, mid: null, gone: undefined },
    });
    expect(JSON.stringify(plain.detail)).toBe('{"alpha":false,"mid":null,"zeta":1}');
    const secret = await audit.append({ ...base, detail: { forceRefresh: true, refreshToken: true } });
    expect(secret.detail).toEqual(redactDeep({ forceRefresh: true, refreshToken: true }));
    expect(secret.detail?.refreshToken).not.toBe(true);
    expect(await audit.verify()).toEqual({ valid: true, count: 2 });
  });

  it("lists newest first with filters and cursor paging", async () => {
    const { records, locks } = memoryBackend();
    let clock = Date.parse("2025-01-01T00:00:00Z");
    const audit = createAuditLog({ records, locks, now: () => (clock += 1000) });
    for (let i = 0; i < 30; i++) {
      await audit.append({
        ...base,
        type: i % 3 === 0 ? "session.created" : "connection.created",
        clientId: i % 2 === 0 ? "cli_even" : "cli_odd",
        userId: `u${i % 5}`,
        action: `n${i}`,
      });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await audit.list({ limit: 7, cursor });
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((event) => event.action ?? ""));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `n${29 - i}`));

    const evens = await audit.list({ clientId: "cli_even", type: "session.created", limit: 200 });
    expect(evens.items.map((event) => event.action)).toEqual(["n24", "n18", "n12", "n6", "n0"]);
    const u3 = await audit.list({ userId: "u3", limit: 2 });
    expect(u3.items.map((event) => event.action)).toEqual(["n28", "n23"]);
    const more = await audit.list({ userId: "u3", limit: 2, cursor: u3.nextCursor ?? undefined });
    expect(more.items.map((event) => event.action)).toEqual(["n18", "n13"]);

    const since = new Date(Date.parse("2025-01-01T00:00:00Z") + 27_000).toISOString();
    const recent = await audit.list({ since, limit: 50 });
    expect(recent.items.map((event) => event.action)).toEqual(["n29", "n28", "n27", "n26"]);
    expect(recent.nextCursor).toBeNull();

    // Events appended after a cursor was issued do not shift the pages that follow it.
    const first = await audit.list({ limit: 5 });
    await audit.append({ ...base, action: "late" });
    const next = await audit.list({ limit: 5, cursor: first.nextCursor ?? undefined });
    expect(next.items.map((event) => event.action)).toEqual(["n24", "n23", "n22", "n21", "n20"]);

    await expect(audit.list({ limit: 201 })).rejects.toMatchObject({
      code: "invalid_request",
      field: "limit",
    });
    await expect(audit.list({ cursor: "garbage" })).rejects.toMatchObject({ field: "cursor" });
  });

  it("stays one valid chain with two instances appending concurrently on one store", async () => {
    const backend = memoryBackend();
    const a = createAuditLog({ records: backend.records, locks: backend.locks });
    const b = createAuditLog({ records: backend.records, locks: backend.locks });
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).append({ ...base, action: `x${i}` })),
    );
    expect(await a.verify()).toEqual({ valid: true, count: 60 });
    expect(await b.verify()).toEqual({ valid: true, count: 60 });
    const stored = await allEvents(backend.records);
    expect(new Set(stored.map((entry) => entry.value.action)).size).toBe(60);
  });

  it("an instance whose remembered head went stale (another appended since) re-reads it and stays on the chain", async () => {
    const backend = memoryBackend();
    const a = createAuditLog({ records: backend.records, locks: backend.locks });
    const b = createAuditLog({ records: backend.records, locks: backend.locks });
    // Alternating batches: every append after the first starts from a head the other instance moved.
    for (let round = 0; round < 5; round++) {
      await a.append({ ...base, action: `a${round}` });
      await b.append({ ...base, action: `b${round}` });
    }
    await a.append({ ...base, action: "a-last" });
    expect(await b.verify()).toEqual({ valid: true, count: 11 });
    const newestFirst = (await a.list({ limit: 11 })).items.map((event) => event.action);
    expect(newestFirst).toEqual(["a-last", "b4", "a4", "b3", "a3", "b2", "a2", "b1", "a1", "b0", "a0"]);
  });

  it("cannot fork the chain even when the lock is useless (the head compare-and-set commits)", async () => {
    const backend = memoryBackend();
    const noLock: Lock = {
      acquire: async (_key, ttlMs) => ({ token: "t", fence: 1, expiresAt: Date.now() + ttlMs }),
      release: async () => true,
      extend: async () => true,
    };
    const logs = [0, 1, 2].map(() => createAuditLog({ records: backend.records, locks: noLock }));
    await Promise.all(
      Array.from({ length: 45 }, (_, i) => logs[i % 3]?.append({ ...base, action: `y${i}` })),
    );
    expect(await logs[0]?.verify()).toEqual({ valid: true, count: 45 });
  });

  it("verify names a tampered event (rewritten raw in the store)", async () => {
    const { records, locks } = memoryBackend();
    const audit = createAuditLog({ records, locks });
    const events: AuditEvent[] = [];
    for (let i = 0; i < 10; i++) events.push(await audit.append({ ...base, action: `z${i}` }));
    const stored = await allEvents(records);
    const victim = stored.find((entry) => entry.value.id === events[4]?.id);
    expect(victim).toBeDefined();
    if (!victim) return;

    await rewriteEvent(records, victim, { ...victim.value, outcome: "denied" });
    expect(await audit.verify()).toEqual({ valid: false, count: 10, firstBrokenId: events[4]?.id });

    // Recomputing the tampered event's own hash moves the break to the link from the next event.
    const forged = { ...victim.value, outcome: "denied" as const };
    const { hash: _drop, ...body } = forged;
    const rehashed = createHash("sha256")
      .update(forged.prevHash + canonicalJson(body))
      .digest("hex");
    await rewriteEvent(records, victim, { ...forged, hash: rehashed });
    expect(await audit.verify()).toEqual({ valid: false, count: 10, firstBrokenId: events[5]?.id });

    // Restoring it makes the chain whole again; deleting a middle event breaks it.
    await rewriteEvent(records, victim, victim.value);
    expect(await audit.verify()).toEqual({ valid: true, count: 10 });
    await rewriteEvent(records, victim, undefined);
    expect(await audit.verify()).toMatchObject({ valid: false, count: 9, firstBrokenId: events[5]?.id });

    // A row that holds no event at all is named by verify (by its key) and skipped by list.
    await records.set(victim.key, [null]);
    expect(await audit.verify()).toMatchObject({ valid: false, count: 10, firstBrokenId: victim.key });
    expect((await audit.list({ limit: 20 })).items.map((event) => event.action)).toEqual([
      "z9",
      "z8",
      "z7",
      "z6",
      "z5",
      "z3",
      "z2",
      "z1",
      "z0",
    ]);
  });

  it("never stores secrets in detail", async () => {
    const { records, locks } = memoryBackend();
    const audit = createAuditLog({ records, locks });
    const event = await audit.append({
      ...base,
      detail: {
        scopes: ["mail.read"],
        refreshToken: "1//0secret-refresh",
        nested: { clientSecret: "GOCSPX-x", note: "used scp_sk_abcDEF123 and Bearer eyJ.x.y" },
      },
    });
    const text = JSON.stringify(await allEvents(records));
    for (const secret of ["1//0secret-refresh", "GOCSPX-x", "scp_sk_abcDEF123", "eyJ.x.y"]) {
      expect(text).not.toContain(secret);
    }
    expect(event.detail).toEqual({
      scopes: ["mail.read"],
      refreshToken: "[Redacted]",
      nested: { clientSecret: "[Redacted]", note: "used [Redacted] and Bearer [Redacted]" },
    });
    expect(await audit.verify()).toEqual({ valid: true, count: 1 });
  });

  it("recovers an event committed by a writer that crashed before storing it", async () => {
    const backend = memoryBackend();
    let failNextEventWrite = false;
    const flaky: TokenStore = {
      ...backend.records,
      // A store without setMany: events are written one by one, and the crash lands between them.
      setMany: undefined,
      compareAndSetMany: undefined,
      set: async (key, value, options) => {
        if (key.startsWith("audit:ev:") && failNextEventWrite) {
          failNextEventWrite = false;
          throw new Error("crash");
        }
        return backend.records.set(key, value, options);
      },
    };
    const crashing = createAuditLog({ records: flaky, locks: backend.locks });
    await crashing.append({ ...base, action: "one" });
    failNextEventWrite = true;
    await expect(crashing.append({ ...base, action: "two" })).rejects.toThrow("crash");
    const other = createAuditLog({ records: backend.records, locks: backend.locks });
    expect((await other.list()).items.map((event) => event.action)).toEqual(["two", "one"]);
    await other.append({ ...base, action: "three" });
    expect(await other.verify()).toEqual({ valid: true, count: 3 });
  });

  it("batches concurrent appends: one lease per batch, call order kept, chain valid across instances", async () => {
    const backend = memoryBackend();
    let acquired = 0;
    const counting: Lock = {
      acquire: async (key, ttlMs) => {
        const lease = await backend.locks.acquire(key, ttlMs);
        if (lease) acquired++;
        return lease;
      },
      release: (key, token) => backend.locks.release(key, token),
      extend: (key, token, ttlMs) => backend.locks.extend(key, token, ttlMs),
    };
    const a = createAuditLog({ records: backend.records, locks: counting });
    const b = createAuditLog({ records: backend.records, locks: counting });
    const made = await Promise.all([
      ...Array.from({ length: 300 }, (_, i) => a.append({ ...base, action: `a${i}` })),
      ...Array.from({ length: 100 }, (_, i) => b.append({ ...base, action: `b${i}` })),
    ]);
    // 400 appends, at most 128 per batch: a handful of lease acquisitions, not 400.
    expect(acquired).toBeGreaterThanOrEqual(4);
    expect(acquired).toBeLessThanOrEqual(10);
    expect(new Set(made.map((event) => event.id)).size).toBe(400);
    expect(await a.verify()).toEqual({ valid: true, count: 400 });
    // Oldest first, each instance's events appear in the order its callers appended them.
    const stored = (await allEvents(backend.records)).reverse().map((entry) => entry.value.action ?? "");
    expect(stored.filter((action) => action.startsWith("a"))).toEqual(
      Array.from({ length: 300 }, (_, i) => `a${i}`),
    );
    expect(stored.filter((action) => action.startsWith("b"))).toEqual(
      Array.from({ length: 100 }, (_, i) => `b${i}`),
    );
    // Every caller got the event as stored, linked to its predecessor.
    const byId = new Map(made.map((event) => [event.id, event]));
    for (const { value } of await allEvents(backend.records)) expect(byId.get(value.id)).toEqual(value);
  });

  it("repairs a batch whose row write failed after the head committed it", async () => {
    const { backend, flaky, crashing, results } = await crashAfterCommit(6, "batch");
    expect(results.every((result) => result.status === "rejected")).toBe(true);
    const other = createAuditLog({ records: backend.records, locks: backend.locks });
    expect((await other.list()).items.map((event) => event.action)).toEqual([
      "batch5",
      "batch4",
      "batch3",
      "batch2",
      "batch1",
      "batch0",
      "first",
    ]);
    // The crashed writer forgot its head and re-reads it: its next append stays on the chain.
    flaky.failing = false;
    await crashing.append({ ...base, action: "after" });
    expect(await other.verify()).toEqual({ valid: true, count: 8 });
  });

  it("counts an event once when a repair stores its batch again (a crash of the one-event-per-row layout)", async () => {
    const { backend } = await crashAfterCommit(4, "b");
    // What a writer of the earlier layout left when it crashed midway: two of the batch's events
    // stored alone under their own keys, the batch's last one missing.
    const head = await backend.records.get<{ events: AuditEvent[] }>("audit:head");
    const batch = head?.value.events ?? [];
    expect(batch.map((event) => event.action)).toEqual(["b0", "b1", "b2", "b3"]);
    await backend.records.set(singleRowKey(2), batch[0]);
    await backend.records.set(singleRowKey(3), batch[1]);

    const other = createAuditLog({ records: backend.records, locks: backend.locks });
    expect((await other.list()).items.map((event) => event.action)).toEqual([
      "b3",
      "b2",
      "b1",
      "b0",
      "first",
    ]);
    expect(await other.verify()).toEqual({ valid: true, count: 5 });
    expect(await pagedActions(other, 2)).toEqual(["b3", "b2", "b1", "b0", "first"]);
  });

  it("reads rows of the one-event-per-row layout, alone and mixed with batch rows", async () => {
    const { records, locks } = memoryBackend();
    const audit = createAuditLog({ records, locks });
    await audit.append({ ...base, action: "s0" });
    await Promise.all([1, 2, 3].map((i) => audit.append({ ...base, action: `s${i}` })));
    await audit.append({ ...base, action: "s4" });
    // Rewrite the store as the earlier layout kept it: one row per event, under its own number.
    const stored = await allEvents(records);
    expect(new Set(stored.map(({ key }) => key)).size).toBe(3);
    for (const { key } of stored) await records.delete(key);
    for (const [i, { value }] of stored.entries()) await records.set(singleRowKey(stored.length - i), value);

    const reader = createAuditLog({ records, locks });
    expect(await reader.verify()).toEqual({ valid: true, count: 5 });
    await Promise.all([5, 6].map((i) => reader.append({ ...base, action: `s${i}` })));
    expect(await reader.verify()).toEqual({ valid: true, count: 7 });
    expect(await pagedActions(reader, 3)).toEqual(["s6", "s5", "s4", "s3", "s2", "s1", "s0"]);
  });

  it("verify finds an event taken out of a batch row, or a batch row's oldest event replaced", async () => {
    const { records, locks } = memoryBackend();
    const audit = createAuditLog({ records, locks });
    await audit.append({ ...base, action: "before" });
    const batch = await Promise.all([0, 1, 2, 3].map((i) => audit.append({ ...base, action: `m${i}` })));
    await audit.append({ ...base, action: "after" });
    expect(await audit.verify()).toEqual({ valid: true, count: 6 });
    const inRow = (await allEvents(records)).filter(({ value }) => value.action?.startsWith("m"));
    expect(new Set(inRow.map(({ key }) => key)).size).toBe(1);
    const middle = inRow.find(({ value }) => value.action === "m1") as StoredEvent;
    await rewriteEvent(records, middle, undefined);
    // The row holds one event fewer, so the numbers of the events below the gap shift: m0 no longer
    // follows "before" (and m2's prevHash is m1's hash).
    expect(await audit.verify()).toEqual({ valid: false, count: 5, firstBrokenId: batch[0]?.id });

    // Whole again, then the row's oldest event replaced by a forgery whose own hash holds.
    await records.set(middle.key, batch);
    expect(await audit.verify()).toEqual({ valid: true, count: 6 });
    const oldest = inRow.find(({ value }) => value.action === "m0") as StoredEvent;
    const { hash: _drop, ...body } = { ...oldest.value, outcome: "denied" as const };
    const hash = createHash("sha256")
      .update(body.prevHash + canonicalJson(body))
      .digest("hex");
    await rewriteEvent(records, oldest, { ...body, hash });
    expect(await audit.verify()).toEqual({ valid: false, count: 6, firstBrokenId: batch[1]?.id });
  });

  it("commits the head and its batch in one step where the store can: a failed commit leaves no trace", async () => {
    const backend = memoryBackend();
    const flaky = failingCommits(backend.records, "crash");
    const audit = createAuditLog({ records: flaky, locks: backend.locks });
    await Promise.all([audit.append({ ...base, action: "a" }), audit.append({ ...base, action: "b" })]);
    // No copy of the batch in the head: the events were stored with it.
    const head = await backend.records.get<Record<string, unknown>>("audit:head");
    expect(head?.value.seq).toBe(2);
    expect(head?.value.events).toBeUndefined();
    flaky.failing = true;
    await expect(audit.append({ ...base, action: "lost" })).rejects.toThrow("crash");
    flaky.failing = false;
    await audit.append({ ...base, action: "c" });
    expect((await audit.list()).items.map((event) => event.action)).toEqual(["c", "b", "a"]);
    expect(await audit.verify()).toEqual({ valid: true, count: 3 });
  });

  it("record queues like append (same batch, call order) and reports its failures with the caller's tag", async () => {
    const backend = memoryBackend();
    const flaky = failingCommits(backend.records, "store down");
    const failures: Array<{ message: string; type: string; tag: string | undefined }> = [];
    const audit = createAuditLog({
      records: flaky,
      locks: backend.locks,
      onRecordError: (error, event) => failures.push({ message: (error as Error).message, ...event }),
    });
    audit.record({ ...base, action: "r1" }, "req_1");
    const appended = audit.append({ ...base, action: "a2" });
    audit.record({ ...base, action: "r3" });
    expect((await appended).action).toBe("a2");
    await audit.flush();
    expect(await pagedActions(audit, 10)).toEqual(["r3", "a2", "r1"]);
    expect(await audit.verify()).toEqual({ valid: true, count: 3 });

    flaky.failing = true;
    audit.record({ ...base, type: "token.issued", action: "lost" }, "req_2");
    await audit.flush();
    // Invalid input is reported at once, not thrown at the caller.
    audit.record({ ...base, type: "" }, "req_3");
    expect(failures).toEqual([
      { message: "store down", type: "token.issued", tag: "req_2" },
      { message: expect.stringContaining("type") as unknown as string, type: "", tag: "req_3" },
    ]);
    flaky.failing = false;
    expect(await audit.verify()).toEqual({ valid: true, count: 3 });
  });

  it("rejects malformed input", async () => {
    const { records, locks } = memoryBackend();
    const audit = createAuditLog({ records, locks });
    await expect(audit.append({ ...base, type: "" })).rejects.toMatchObject({ field: "type" });
    await expect(audit.append({ ...base, outcome: "maybe" as unknown as "success" })).rejects.toMatchObject({
      field: "outcome",
    });
    expect(await audit.verify()).toEqual({ valid: true, count: 0 });
  });
});
