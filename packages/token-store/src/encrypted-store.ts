import { DecryptionError } from "@securecontext/protocol";
import type { KeyRing } from "./key-ring";
import type { ListOptions, SetOptions, StoreBackend, StoredRecord, TokenStore } from "./types";

export interface EncryptedStoreOptions {
  /** The store that holds the ciphertext. */
  store: TokenStore;
  keyRing: KeyRing;
  /** Which keys to encrypt (default: every key). Others pass through as plain JSON. */
  isSecret?: (key: string) => boolean;
}

const innerStores = new WeakMap<TokenStore, { store: TokenStore; isSecret: (key: string) => boolean }>();

/** The store under an `encryptedStore` (and its `isSecret`), or the store itself. */
export function unwrapEncryptedStore(store: TokenStore): {
  store: TokenStore;
  isSecret: (key: string) => boolean;
} {
  return innerStores.get(store) ?? { store, isSecret: () => true };
}

const everyKey = () => true;

/**
 * A `TokenStore` that keeps values as compact JWE in `store` (the record key is bound into each
 * ciphertext, so a value copied to another record fails to decrypt). Atomicity is the inner
 * store's. `get` re-encrypts a value found under an old key with the current one (compare-and-set on
 * its version; losing that race is harmless), so records migrate as they are read.
 *
 * Reads throw `DecryptionError` for a value that is not a JWE, was tampered with, or needs a key no
 * longer in the ring; they never return unauthenticated data.
 */
export function encryptedStore(options: EncryptedStoreOptions): TokenStore {
  const { store, keyRing } = options;
  const isSecret = options.isSecret ?? everyKey;

  const open = async <T>(key: string, value: unknown): Promise<{ value: T; stale: boolean }> => {
    if (!isSecret(key)) return { value: value as T, stale: false };
    if (typeof value !== "string") throw new DecryptionError(`record "${key}" is not encrypted`);
    try {
      return await keyRing.decrypt<T>(value, { context: key });
    } catch (error) {
      if (error instanceof DecryptionError) {
        throw new DecryptionError(`record "${key}": ${error.message}`, { cause: error });
      }
      throw error;
    }
  };
  const seal = async (key: string, value: unknown): Promise<unknown> =>
    isSecret(key) ? keyRing.encrypt(value, { context: key }) : value;
  const expiryOptions = (record: StoredRecord): SetOptions =>
    record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {};

  const readSecret = async <T>(key: string): Promise<StoredRecord<T> | undefined> => {
    const record = await store.get(key);
    if (record === undefined) return undefined;
    const { value, stale } = await open<T>(key, record.value);
    let version = record.version;
    if (stale) {
      try {
        const sealed = await keyRing.encrypt(value, { context: key });
        const written = await store.compareAndSet(key, record.version, sealed, expiryOptions(record));
        if (written) version = written.version;
      } catch {
        // Lazy migration is best effort; the value read is still correct.
      }
    }
    return { ...record, value, version };
  };

  const wrapped: TokenStore = {
    get<T>(key: string) {
      // A record that is not secret is stored as it is, so the inner store's answer is the answer
      // (without the awaits and the copy of the decrypting path, on every connection and session read).
      return isSecret(key) ? readSecret<T>(key) : store.get<T>(key);
    },
    async set<T>(key: string, value: T, setOptions?: SetOptions) {
      const record = await store.set(key, await seal(key, value), setOptions);
      return { ...record, value };
    },
    delete: (key) => store.delete(key),
    async compareAndSet<T>(key: string, expectedVersion: number | null, next: T, setOptions?: SetOptions) {
      const record = await store.compareAndSet(key, expectedVersion, await seal(key, next), setOptions);
      return record === null ? null : { ...record, value: next };
    },
    async takeOnce<T>(key: string) {
      const value = await store.takeOnce(key);
      return value === undefined ? undefined : (await open<T>(key, value)).value;
    },
    async list<T>(prefix: string, listOptions?: ListOptions) {
      const page = await store.list(prefix, listOptions);
      const items = await Promise.all(
        page.items.map(async ({ key, record }) => ({
          key,
          record: { ...record, value: (await open<T>(key, record.value)).value },
        })),
      );
      return { items, nextCursor: page.nextCursor };
    },
    close: () => store.close(),
  };
  innerStores.set(wrapped, { store, isSecret });
  return wrapped;
}

/** A backend whose `records` are an {@link encryptedStore}; locks, counters and pub/sub pass through. */
export function encryptedBackend(options: {
  backend: StoreBackend;
  keyRing: KeyRing;
  isSecret?: (key: string) => boolean;
}): StoreBackend {
  const { backend } = options;
  const records = encryptedStore({
    store: backend.records,
    keyRing: options.keyRing,
    ...(options.isSecret ? { isSecret: options.isSecret } : {}),
  });
  return {
    kind: backend.kind,
    ...(backend.inProcess ? { inProcess: true } : {}),
    records,
    locks: backend.locks,
    counters: backend.counters,
    pubsub: backend.pubsub,
    ping: () => backend.ping(),
    close: () => backend.close(),
  };
}
