import { StoreError, type TokenSet } from "@securecontext/protocol";
import { createKeyRing, encryptedStore, generateKey, memoryStore } from "@securecontext/token-store";
import { describe, expect, it, vi } from "vitest";
import { createTokenSetCache } from "./token-set-cache";

const set = (accessToken: string): TokenSet => ({
  accessToken,
  tokenType: "Bearer",
  refreshToken: `r-${accessToken}`,
  scopes: ["a"],
  obtainedAt: 1,
  expiresAt: 10_000_000_000_000,
});

function setup() {
  const raw = memoryStore({ sweepIntervalMs: 0 });
  const keyRing = createKeyRing({ keys: [generateKey("k1")] });
  const sealed = encryptedStore({ store: raw, keyRing });
  // A second "instance" writing through its own encrypted store on the same raw store.
  const other = encryptedStore({ store: raw, keyRing });
  const decrypt = vi.spyOn(keyRing, "decrypt");
  const cache = createTokenSetCache({ raw, keyRing, max: 10, storeTimeoutMs: 0 });
  const read = (key: string) => cache.read(key, () => sealed.get<TokenSet>(key));
  return { raw, keyRing, sealed, other, decrypt, cache, read };
}

describe("token set cache", () => {
  it("surfaces a failing store read as a StoreError, thrown or rejected, and an SCP error as is", async () => {
    const { raw, read } = setup();
    vi.spyOn(raw, "get").mockRejectedValueOnce(new Error("connection reset"));
    await expect(read("tok:{con_1}")).rejects.toMatchObject({ name: "StoreError" });
    vi.spyOn(raw, "get").mockImplementationOnce(() => {
      throw new Error("closed");
    });
    await expect(read("tok:{con_1}")).rejects.toMatchObject({ name: "StoreError" });
    const scp = new StoreError("already an SCP error");
    vi.spyOn(raw, "get").mockRejectedValueOnce(scp);
    await expect(read("tok:{con_1}")).rejects.toBe(scp);
  });

  it("decrypts once per stored ciphertext and still reads the store every time", async () => {
    const { sealed, decrypt, read, raw } = setup();
    await sealed.set("tok:{con_1}", set("one"));
    const get = vi.spyOn(raw, "get");
    expect((await read("tok:{con_1}"))?.value.accessToken).toBe("one");
    expect((await read("tok:{con_1}"))?.value.accessToken).toBe("one");
    expect(decrypt).toHaveBeenCalledTimes(1);
    expect(get).toHaveBeenCalledTimes(2);
  });

  it("sees another instance's write at once, and a delete + re-create at the same version", async () => {
    const { sealed, other, read } = setup();
    await sealed.set("tok:{con_1}", set("one"));
    expect((await read("tok:{con_1}"))?.value.accessToken).toBe("one");
    const written = await other.compareAndSet("tok:{con_1}", 1, set("two"));
    expect(written?.version).toBe(2);
    expect((await read("tok:{con_1}"))?.value.accessToken).toBe("two");
    // Revocation erases the tokens: gone at once.
    await other.delete("tok:{con_1}");
    expect(await read("tok:{con_1}")).toBeUndefined();
    // Re-created at version 1 again (a reconnect): the new set, never the old one from the cache.
    await other.set("tok:{con_1}", set("three"));
    const again = await read("tok:{con_1}");
    expect(again?.version).toBe(1);
    expect(again?.value.accessToken).toBe("three");
  });

  it("never serves a set for tampered ciphertext, and hands out read-only sets", async () => {
    const { sealed, raw, read } = setup();
    await sealed.set("tok:{con_1}", set("one"));
    const cached = await read("tok:{con_1}");
    const scopes = cached?.value.scopes as string[];
    expect(() => {
      scopes.push("b");
    }).toThrow();
    const stored = await raw.get<string>("tok:{con_1}");
    const parts = (stored?.value ?? "").split(".");
    parts[3] = `${parts[3]?.startsWith("A") ? "B" : "A"}${parts[3]?.slice(1)}`;
    await raw.set("tok:{con_1}", parts.join("."));
    await expect(read("tok:{con_1}")).rejects.toMatchObject({ name: "DecryptionError" });
  });
});
