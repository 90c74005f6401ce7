import { afterEach, describe, expect, it } from "vitest";
import { encryptedBackend, encryptedStore } from "./encrypted-store";
import { createKeyRing, generateKey } from "./key-ring";
import { memoryBackend } from "./memory-backend";
import { memoryStore } from "./memory-store";
import { rotateKeys } from "./rotate-keys";
import { runBackendSuite, runTokenStoreSuite } from "./testing";

const keyA = generateKey("key-a");
const keyB = generateKey("key-b");
const api = { describe, it, expect, afterEach };

runTokenStoreSuite(
  api,
  () => encryptedStore({ store: memoryStore(), keyRing: createKeyRing({ keys: [keyA] }) }),
  {
    name: "encryptedStore(memoryStore)",
  },
);
runBackendSuite(
  api,
  () => encryptedBackend({ backend: memoryBackend(), keyRing: createKeyRing({ keys: [keyA] }) }),
  {
    name: "encryptedBackend(memoryBackend)",
  },
);

describe("encryptedStore", () => {
  it("stores only ciphertext; set, CAS and takeOnce round-trip", async () => {
    const raw = memoryStore();
    const store = encryptedStore({ store: raw, keyRing: createKeyRing({ keys: [keyA] }) });
    const tokens = { accessToken: "at-SECRET", refreshToken: "rt-SECRET" };
    const written = await store.set("con:1", tokens);
    expect(written).toEqual({ value: tokens, version: 1 });
    const stored = await raw.get<string>("con:1");
    expect(typeof stored?.value).toBe("string");
    expect(stored?.value).not.toContain("SECRET");
    expect(await store.get("con:1")).toEqual({ value: tokens, version: 1 });
    expect(await store.compareAndSet("con:1", 1, { ...tokens, refreshToken: "rt-2" })).toMatchObject({
      version: 2,
    });
    expect((await store.list("con:")).items[0]?.record.value).toEqual({ ...tokens, refreshToken: "rt-2" });
    expect(await store.takeOnce("con:1")).toEqual({ ...tokens, refreshToken: "rt-2" });
  });

  it("isSecret leaves other keys as plain JSON", async () => {
    const raw = memoryStore();
    const store = encryptedStore({
      store: raw,
      keyRing: createKeyRing({ keys: [keyA] }),
      isSecret: (key) => key.startsWith("con:"),
    });
    await store.set("con:1", { t: 1 });
    await store.set("idx:1", { t: 1 });
    expect(typeof (await raw.get("con:1"))?.value).toBe("string");
    expect((await raw.get("idx:1"))?.value).toEqual({ t: 1 });
  });

  it("a ciphertext copied to another record, tampered or plain, fails with DecryptionError", async () => {
    const raw = memoryStore();
    const store = encryptedStore({ store: raw, keyRing: createKeyRing({ keys: [keyA] }) });
    await store.set("con:victim", { refreshToken: "victim" });
    await store.set("con:attacker", { refreshToken: "attacker" });
    const attackerCipher = (await raw.get<string>("con:attacker"))!.value;
    await raw.set("con:victim", attackerCipher);
    await expect(store.get("con:victim")).rejects.toMatchObject({ name: "DecryptionError" });
    await raw.set("con:plain", { refreshToken: "x" });
    await expect(store.get("con:plain")).rejects.toThrow(/not encrypted/);
    await raw.set("con:tampered", `${attackerCipher.slice(0, -3)}AAA`);
    await expect(store.get("con:tampered")).rejects.toMatchObject({ name: "DecryptionError" });
    await expect(store.list("con:")).rejects.toMatchObject({ name: "DecryptionError" });
  });

  it("key rotation: readable after adding B, lazily migrated on get, rotateKeys leaves none under A", async () => {
    const raw = memoryStore();
    const ringA = createKeyRing({ keys: [keyA] });
    const underA = encryptedStore({ store: raw, keyRing: ringA });
    for (let i = 0; i < 250; i++) await underA.set(`con:${String(i).padStart(3, "0")}`, { rt: `rt-${i}` });
    await raw.set("plain:index", ["not", "secret"]);

    const ringBA = createKeyRing({ keys: [keyB, keyA] });
    const store = encryptedStore({ store: raw, keyRing: ringBA, isSecret: (key) => key.startsWith("con:") });
    const kidOf = async (key: string) => ringBA.kidOf((await raw.get<string>(key))!.value);

    // Readable under the new ring; a read re-encrypts under B and returns the new version.
    expect(await kidOf("con:007")).toBe("key-a");
    const read = await store.get("con:007");
    expect(read).toEqual({ value: { rt: "rt-7" }, version: 2 });
    expect(await kidOf("con:007")).toBe("key-b");
    expect(await store.compareAndSet("con:007", read!.version, { rt: "rt-7b" })).not.toBeNull();

    const result = await rotateKeys({ store, keyRing: ringBA, pageSize: 40 });
    expect(result).toEqual({ scanned: 250, reencrypted: 249, failed: 0, failedKeys: [] });
    let cursor: string | undefined;
    let underOld = 0;
    do {
      const page = await raw.list("con:", { limit: 100, ...(cursor ? { cursor } : {}) });
      for (const item of page.items) if (ringBA.kidOf(item.record.value as string) !== "key-b") underOld++;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(underOld).toBe(0);
    expect(await rotateKeys({ store, keyRing: ringBA })).toMatchObject({ scanned: 250, reencrypted: 0 });

    // Key A removed: everything still reads.
    const onlyB = encryptedStore({ store: raw, keyRing: createKeyRing({ keys: [keyB] }) });
    for (let i = 0; i < 250; i++) {
      const value = (await onlyB.get(`con:${String(i).padStart(3, "0")}`))?.value;
      expect(value).toEqual({ rt: i === 7 ? "rt-7b" : `rt-${i}` });
    }
    // ...and the old ring cannot read the new ciphertext.
    await expect(underA.get("con:001")).rejects.toMatchObject({ name: "DecryptionError" });
  });

  it("rotateKeys counts records it cannot decrypt and keeps expiry", async () => {
    const raw = memoryStore();
    const ringA = createKeyRing({ keys: [keyA] });
    const expiresAt = Date.now() + 60_000;
    await encryptedStore({ store: raw, keyRing: ringA }).set("con:1", "v", { expiresAt });
    await encryptedStore({ store: raw, keyRing: createKeyRing({ keys: [generateKey("lost")] }) }).set(
      "con:2",
      "v",
    );
    await raw.set("con:3", "garbage");
    const result = await rotateKeys({ store: raw, keyRing: createKeyRing({ keys: [keyB, keyA] }) });
    expect(result).toEqual({ scanned: 3, reencrypted: 1, failed: 2, failedKeys: ["con:2", "con:3"] });
    expect((await raw.get("con:1"))?.expiresAt).toBe(expiresAt);
  });

  it("lazy re-encryption losing a race to a writer keeps the writer's value", async () => {
    const raw = memoryStore();
    await encryptedStore({ store: raw, keyRing: createKeyRing({ keys: [keyA] }) }).set("con:1", "old");
    const store = encryptedStore({ store: raw, keyRing: createKeyRing({ keys: [keyB, keyA] }) });
    const [read] = await Promise.all([store.get("con:1"), store.set("con:1", "new")]);
    expect(read?.value).toBe("old");
    expect((await store.get("con:1"))?.value).toBe("new");
  });
});
