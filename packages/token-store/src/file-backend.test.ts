import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreError } from "@securecontext/protocol";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { encryptedBackend } from "./encrypted-store";
import { fileBackend } from "./file-backend";
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
