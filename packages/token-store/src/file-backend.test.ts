import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreError } from "@securecontext/protocol";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { encryptedBackend } from "./encrypted-store";
import { fileBackend } from "./file-backend";
import { FILE_SCHEMA_VERSION } from "./file-schema";
import { createKeyRing, generateKey } from "./key-ring";
import { runBackendSuite } from "./testing";

const dir = mkdtempSync(join(tmpdir(), "scp-file-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `db-${n++}`, "store.sqlite");
const api = { describe, it, expect, afterEach };

runBackendSuite(api, () => fileBackend({ path: freshPath() }), { name: "fileBackend" });
runBackendSuite(
  api,
  () =>
    encryptedBackend({
      backend: fileBackend({ path: freshPath() }),
      keyRing: createKeyRing({ keys: [generateKey()] }),
    }),
  { name: "encryptedBackend(fileBackend)" },
);

describe("fileBackend", () => {
  it("creates the directory 0700 and the file 0600, in WAL mode", async () => {
    const path = freshPath();
    const backend = fileBackend({ path });
    await backend.records.set("k", "v");
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(`${path}-wal`).isFile()).toBe(true);
    await backend.close();
  });

  it("keeps records, fences and versions across close and reopen", async () => {
    const path = freshPath();
    const first = fileBackend({ path });
    await first.records.set("k", { n: 1 });
    await first.records.set("k", { n: 2 });
    const lease = await first.locks.acquire("lock", 60_000);
    await first.close();
    const second = fileBackend({ path });
    expect(await second.records.get("k")).toEqual({ value: { n: 2 }, version: 2 });
    expect(await second.locks.acquire("lock", 60_000)).toBeNull();
    expect(await second.locks.release("lock", lease!.token)).toBe(true);
    expect((await second.locks.acquire("lock", 60_000))!.fence).toBe(lease!.fence + 1);
    await second.close();
  });

  it("moves a file written with the first layout (WITHOUT ROWID) to the current one, rows intact", async () => {
    const path = freshPath();
    const seed = fileBackend({ path });
    await seed.close();
    // The first layout, exactly as earlier versions created it, with their kinds of rows.
    const old = new Database(path);
    old.exec(`DROP TABLE scp_kv; PRAGMA user_version = 0;
      CREATE TABLE scp_kv (ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        version INTEGER NOT NULL, expires_at INTEGER, PRIMARY KEY (ns, key)) WITHOUT ROWID;
      CREATE INDEX scp_kv_expires ON scp_kv (expires_at) WHERE expires_at IS NOT NULL;`);
    const insert = old.prepare("INSERT INTO scp_kv VALUES (?, ?, ?, ?, ?)");
    const far = Date.now() + 3_600_000;
    insert.run("r", "b", JSON.stringify({ n: 2 }), 7, null);
    insert.run("r", "a", JSON.stringify("sealed"), 1, far);
    insert.run("r", "gone", JSON.stringify(1), 1, 1);
    insert.run("f", "lock", "", 4, null);
    insert.run("c", "rate:k", "", 5, far);
    old.close();

    const backend = fileBackend({ path });
    expect(await backend.records.get("b")).toEqual({ value: { n: 2 }, version: 7 });
    expect(await backend.records.get("a")).toEqual({ value: "sealed", version: 1, expiresAt: far });
    expect(await backend.records.get("gone")).toBeUndefined();
    expect((await backend.records.list("")).items.map(({ key }) => key)).toEqual(["a", "b"]);
    expect((await backend.locks.acquire("lock", 60_000))!.fence).toBe(5);
    expect((await backend.counters.increment("rate:k", 60_000)).count).toBe(6);
    // Unique per (ns, key) as before: a second write is an update, not a second row.
    expect((await backend.records.set("b", { n: 3 })).version).toBe(8);
    await backend.close();

    const check = new Database(path, { readonly: true });
    expect(check.pragma("user_version", { simple: true })).toBe(FILE_SCHEMA_VERSION);
    const { sql } = check.prepare("SELECT sql FROM sqlite_master WHERE name = 'scp_kv'").get() as {
      sql: string;
    };
    expect(sql).not.toMatch(/WITHOUT ROWID/i);
    expect(check.prepare("SELECT count(*) AS n FROM scp_kv WHERE ns = 'r' AND key = 'b'").get()).toEqual({
      n: 1,
    });
    check.close();
    // Opening again changes nothing.
    const again = fileBackend({ path });
    expect(await again.records.get("b")).toEqual({ value: { n: 3 }, version: 8 });
    await again.close();
  });

  it("refuses a file whose layout is newer than this version reads, and leaves it as it is", async () => {
    const path = freshPath();
    const seed = fileBackend({ path });
    await seed.records.set("k", 1);
    await seed.close();
    const db = new Database(path);
    db.pragma(`user_version = ${FILE_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => fileBackend({ path })).toThrow(/newer version/);
    expect(() => fileBackend({ path })).toThrow(StoreError);
    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT value FROM scp_kv WHERE key = 'k'").get()).toEqual({ value: "1" });
    check.close();
  });

  it("sweeps expired rows but keeps fences", async () => {
    let now = 1_000_000;
    const backend = fileBackend({ path: freshPath(), now: () => now, sweepIntervalMs: 0 });
    await backend.records.set("k", "v", { expiresAt: now + 10 });
    const lease = await backend.locks.acquire("lock", 10);
    now += 11;
    expect(await backend.records.get("k")).toBeUndefined();
    expect((await backend.locks.acquire("lock", 10))!.fence).toBe(lease!.fence + 1);
    await backend.close();
  });

  it("commits counter increments still pending when the store closes", async () => {
    const path = freshPath();
    const backend = fileBackend({ path });
    // Issued back to back: they wait for their batch, which close must not drop.
    const pending = [
      backend.counters.increment("rate:k", 60_000),
      backend.counters.increment("rate:k", 60_000),
    ];
    await backend.close();
    expect((await Promise.all(pending)).map((result) => result.count)).toEqual([1, 2]);
    await expect(backend.counters.increment("rate:k", 60_000)).rejects.toBeInstanceOf(StoreError);
    const reopened = fileBackend({ path });
    expect((await reopened.counters.increment("rate:k", 60_000)).count).toBe(3);
    await reopened.close();
  });

  it("reports an unusable path as StoreError and calls after close as StoreError", async () => {
    const blocker = join(dir, "a-file");
    writeFileSync(blocker, "not a directory");
    expect(() => fileBackend({ path: join(blocker, "sub", "store.sqlite") })).toThrow(
      expect.objectContaining({ name: "StoreError" }),
    );
    const backend = fileBackend({ path: ":memory:" });
    await backend.close();
    await expect(backend.records.get("k")).rejects.toMatchObject({ name: "StoreError" });
  });
});
