import type { TokenSet } from "@securecontext/protocol";
import type { KeyRing, StoredRecord, TokenStore } from "@securecontext/token-store";
import { LRUCache } from "lru-cache";
import { guarded } from "./store-guard";

interface Decrypted {
  /** The exact ciphertext `value` was decrypted from. */
  ciphertext: string;
  value: TokenSet;
}

/** Options of {@link createTokenSetCache}. */
export interface TokenSetCacheOptions {
  /** The plain store (ciphertext), read on every call. */
  raw: TokenStore;
  keyRing: KeyRing;
  /** Decrypted sets kept (LRU). */
  max: number;
  storeTimeoutMs: number;
}

/**
 * Memo of `keyRing.decrypt(ciphertext)` for token sets, keyed by record key and checked against the
 * ciphertext stored right now. Every read still goes to the store (so another instance's refresh,
 * a revocation that erased the tokens, or a reconnect are seen at once); only the AES-GCM JWE
 * decryption is skipped when the stored ciphertext is byte-for-byte the one decrypted before. The
 * result is therefore always exactly what decrypting the stored record gives: no TTL, no
 * invalidation messages, nothing that could serve a stale token. Comparing the ciphertext (not only
 * the version) also covers a record deleted and re-created at the same version number.
 *
 * Misses (and ciphertext under an old key, which must be re-encrypted, or that fails to decrypt)
 * go through the encrypted store, which keeps its error and lazy re-encryption semantics.
 * Plaintext token sets stay in process memory only (bounded by `max`); at rest they remain JWE.
 */
export function createTokenSetCache(options: TokenSetCacheOptions) {
  const { raw, keyRing, storeTimeoutMs } = options;
  const cache = new LRUCache<string, Decrypted>({ max: options.max });

  return {
    /**
     * The stored token set at `key`, or undefined when absent. `slow` reads it through the
     * encrypted store (used on a miss).
     */
    async read(
      key: string,
      slow: () => Promise<StoredRecord<TokenSet> | undefined>,
    ): Promise<StoredRecord<TokenSet> | undefined> {
      const record = await guarded("get", () => raw.get<unknown>(key), storeTimeoutMs);
      if (record === undefined) {
        cache.delete(key);
        return undefined;
      }
      const ciphertext = record.value;
      if (typeof ciphertext !== "string") return slow();
      const hit = cache.get(key);
      if (hit !== undefined && hit.ciphertext === ciphertext) {
        return { ...record, value: hit.value };
      }
      let opened: { value: TokenSet; stale: boolean };
      try {
        opened = await keyRing.decrypt<TokenSet>(ciphertext, { context: key });
      } catch {
        cache.delete(key);
        return slow();
      }
      if (opened.stale) {
        cache.delete(key);
        return slow();
      }
      const value = freezeTokenSet(opened.value);
      cache.set(key, { ciphertext, value });
      return { ...record, value };
    },
    /** Drops `key` (called on every write this process makes). */
    forget(key: string): void {
      cache.delete(key);
    },
    clear(): void {
      cache.clear();
    },
  };
}

export type TokenSetCache = ReturnType<typeof createTokenSetCache>;

/** Shared between callers: read-only, so no caller can alter what the next one gets. */
function freezeTokenSet(set: TokenSet): TokenSet {
  if (Array.isArray(set.scopes)) Object.freeze(set.scopes);
  return Object.freeze(set);
}
