import { afterEach, describe, expect, it } from "vitest";
import { memoryBackend } from "./memory-backend";
import { memoryStore } from "./memory-store";
import { runBackendSuite, runTokenStoreSuite } from "./testing";

runTokenStoreSuite({ describe, it, expect, afterEach }, () => memoryStore(), { name: "memoryStore" });
runBackendSuite({ describe, it, expect, afterEach }, () => memoryBackend(), { name: "memoryBackend" });

describe("memory backend with an injected clock", () => {
  it("expires records, leases and windows by now()", async () => {
    let now = 1_000_000;
    const backend = memoryBackend({ now: () => now, sweepIntervalMs: 0 });
    await backend.records.set("k", "v", { expiresAt: now + 100 });
    const lease = await backend.locks.acquire("l", 100);
    expect(lease?.expiresAt).toBe(now + 100);
    expect(await backend.counters.increment("c", 100)).toEqual({ count: 1, resetAt: now + 100 });
    now += 99;
    expect((await backend.records.get("k"))?.value).toBe("v");
    expect(await backend.locks.acquire("l", 100)).toBeNull();
    expect((await backend.counters.increment("c", 100)).count).toBe(2);
    now += 1;
    expect(await backend.records.get("k")).toBeUndefined();
    expect((await backend.locks.acquire("l", 100))?.fence).toBe(2);
    expect((await backend.counters.increment("c", 100)).count).toBe(1);
    await backend.close();
  });

  it("fails every call after close with StoreError", async () => {
    const backend = memoryBackend();
    await backend.close();
    await expect(backend.records.get("k")).rejects.toMatchObject({ name: "StoreError" });
    await expect(backend.locks.acquire("k", 10)).rejects.toMatchObject({ name: "StoreError" });
    await expect(backend.ping()).rejects.toMatchObject({ name: "StoreError" });
    await backend.close();
  });
});
