import type { TokenSet } from "@securecontext/protocol";
import { encryptedStore, type KeyRing, type StoreBackend } from "@securecontext/token-store";
import { keyLayout } from "../../src/keys";

/** Reads and rewrites a connection's stored token set the way the pool stores it (encrypted). */
export function tokenRecords(backend: StoreBackend, keyRing: KeyRing, prefix = "scp:") {
  const keys = keyLayout(prefix);
  const store = encryptedStore({ store: backend.records, keyRing, isSecret: keys.isSecret });
  return {
    keys,
    read: async (connectionId: string) => (await store.get<TokenSet>(keys.tokenSet(connectionId)))?.value,
    raw: async (connectionId: string) => (await backend.records.get(keys.tokenSet(connectionId)))?.value,
    /** Makes the stored access token expired (expiresAt in the past), keeping everything else. */
    async expire(connectionId: string, now = Date.now()) {
      const current = await store.get<TokenSet>(keys.tokenSet(connectionId));
      if (!current) throw new Error(`no token set for ${connectionId}`);
      await store.set(keys.tokenSet(connectionId), {
        ...current.value,
        expiresAt: now - 1_000,
        obtainedAt: now - 3_601_000,
      });
    },
  };
}
