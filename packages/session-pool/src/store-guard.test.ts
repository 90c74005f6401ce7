import { StoreError } from "@securecontext/protocol";
import { describe, expect, it } from "vitest";
import { guarded } from "./store-guard";

describe("guarded", () => {
  it("turns a store call that never answers into a StoreError naming the operation", async () => {
    const started = Date.now();
    const error = await guarded("get", () => new Promise<never>(() => {}), 60).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe("store did not answer get within 60 ms");
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("passes answers and SCP errors through, and wraps anything else", async () => {
    await expect(guarded("get", async () => 42, 1_000)).resolves.toBe(42);
    const scp = new StoreError("already an SCP error");
    await expect(guarded("get", () => Promise.reject(scp), 1_000)).rejects.toBe(scp);
    const wrapped = await guarded("set", () => Promise.reject(new Error("ECONNRESET")), 1_000).catch(
      (e) => e,
    );
    expect(wrapped).toBeInstanceOf(StoreError);
    expect(wrapped.message).toBe("store unavailable during set");
  });

  it("without a timeout passes answers and SCP errors through and wraps anything else, thrown or rejected", async () => {
    await expect(guarded("get", async () => 42)).resolves.toBe(42);
    const scp = new StoreError("already an SCP error");
    await expect(guarded("get", () => Promise.reject(scp))).rejects.toBe(scp);
    const rejected = await guarded("set", () => Promise.reject(new Error("disk full"))).catch(
      (e: StoreError) => e,
    );
    expect(rejected).toBeInstanceOf(StoreError);
    expect(rejected.message).toBe("store unavailable during set");
    expect((rejected.cause as Error).message).toBe("disk full");
    const thrown = await guarded<StoreError>("list", () => {
      throw new Error("closed");
    }).catch((e: StoreError) => e);
    expect(thrown).toBeInstanceOf(StoreError);
    expect(thrown.message).toBe("store unavailable during list");
  });

  it("keeps many calls in flight independent: only the slow one times out", async () => {
    const results = await Promise.allSettled([
      guarded("fast", () => new Promise((resolve) => setTimeout(() => resolve("a"), 5)), 80),
      guarded("slow", () => new Promise<never>(() => {}), 80),
      guarded("none", () => new Promise((resolve) => setTimeout(() => resolve("c"), 120)), 0),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });

  it("the pool arms no timeout for in-process backends and keeps it for the others", async () => {
    const { createSessionPool } = await import("./pool");
    const { memoryBackend, createKeyRing, generateKey } = await import("@securecontext/token-store");
    const keyRing = createKeyRing({ keys: [generateKey()] });
    const hanging = (inProcess: boolean) => {
      const backend = memoryBackend();
      // A store whose reads never answer, marked (or not) as in-process.
      return {
        ...backend,
        inProcess,
        records: { ...backend.records, get: () => new Promise<never>(() => {}) },
      };
    };
    const base = {
      keyRing,
      providers: { get: () => undefined, list: () => [] },
      redirectUri: "http://scp.test/oauth/callback",
      baseUrl: "http://scp.test",
      storeTimeoutMs: 50,
    };
    const remote = createSessionPool({ ...base, backend: hanging(false) });
    await expect(remote.connections.get("con_0000000000000000000000")).rejects.toBeInstanceOf(StoreError);
    const local = createSessionPool({ ...base, backend: hanging(true) });
    const outcome = await Promise.race([
      local.connections.get("con_0000000000000000000000").then(() => "answered"),
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), 200)),
    ]);
    expect(outcome).toBe("still waiting");
    await Promise.all([remote.close(), local.close()]);
  });
});
