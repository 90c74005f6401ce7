import { unwrapEncryptedStore } from "./encrypted-store";
import type { KeyRing } from "./key-ring";
import type { TokenStore } from "./types";

export interface RotateKeysOptions {
  /** The raw store holding ciphertext, or the `encryptedStore` over it (it is unwrapped). */
  store: TokenStore;
  keyRing: KeyRing;
  /** Only keys starting with this (default: all). */
  prefix?: string;
  /** Which keys hold ciphertext (default: the encrypted store's `isSecret`, else every key). */
  isSecret?: (key: string) => boolean;
  /** Page size of the scan (default 200). */
  pageSize?: number;
}

export interface RotateKeysResult {
  /** Secret records looked at. */
  scanned: number;
  /** Records rewritten under the current key. */
  reencrypted: number;
  /** Records that could not be decrypted or rewritten. */
  failed: number;
  /** Keys of the failed records (at most 100). Keys are not secrets; values never appear. */
  failedKeys: string[];
}

/**
 * Re-encrypts every record not under the key ring's current key, page by page. Safe while the
 * store is in use: each rewrite is a compare-and-set on the version read, and a record changed
 * meanwhile is re-read (a concurrent writer already uses the current key). Run it after putting a
 * new key first in the ring; once `failed` is 0, the old key can be removed.
 */
export async function rotateKeys(options: RotateKeysOptions): Promise<RotateKeysResult> {
  const unwrapped = unwrapEncryptedStore(options.store);
  const store = unwrapped.store;
  const isSecret = options.isSecret ?? unwrapped.isSecret;
  const { keyRing } = options;
  const result: RotateKeysResult = { scanned: 0, reencrypted: 0, failed: 0, failedKeys: [] };
  const fail = (key: string) => {
    result.failed += 1;
    if (result.failedKeys.length < 100) result.failedKeys.push(key);
  };

  let cursor: string | undefined;
  do {
    const page = await store.list(options.prefix ?? "", {
      limit: options.pageSize ?? 200,
      ...(cursor !== undefined ? { cursor } : {}),
    });
    for (const { key, record: listed } of page.items) {
      if (!isSecret(key)) continue;
      result.scanned += 1;
      try {
        let record: typeof listed | undefined = listed;
        let settled = false;
        for (let attempt = 0; attempt < 5 && !settled; attempt++) {
          if (record === undefined) {
            settled = true; // deleted meanwhile
            break;
          }
          if (typeof record.value !== "string") break; // not ciphertext: counts as failed
          if (keyRing.kidOf(record.value) === keyRing.currentKid) {
            settled = true;
            break;
          }
          const { value } = await keyRing.decrypt(record.value, { context: key });
          const sealed = await keyRing.encrypt(value, { context: key });
          const expiry = record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {};
          if ((await store.compareAndSet(key, record.version, sealed, expiry)) !== null) {
            result.reencrypted += 1;
            settled = true;
          } else {
            record = await store.get(key);
          }
        }
        if (!settled) fail(key);
      } catch {
        fail(key);
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return result;
}
