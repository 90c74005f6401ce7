/**
 * Token storage for SecureContext: the `TokenStore` / `StoreBackend` contracts, JWE encryption at
 * rest with key rotation, and memory, keyv and file (SQLite) stores. Every store passes the
 * conformance suite in `@securecontext/token-store/testing`.
 *
 * @example
 * ```ts
 * import { createKeyRing, encryptedStore, generateKey, memoryBackend } from "@securecontext/token-store";
 *
 * const backend = memoryBackend();
 * const keyRing = createKeyRing({ keys: [generateKey("k1")] });
 * const tokens = encryptedStore({ store: backend.records, keyRing });
 *
 * const written = await tokens.set("connection:con_1", { refreshToken: "1//secret" });
 * const raw = await backend.records.get("connection:con_1"); // { value: "eyJhbGciOiJkaXIi…", … }
 * const read = await tokens.get("connection:con_1"); // { value: { refreshToken: "1//secret" }, version: 1 }
 * await tokens.compareAndSet("connection:con_1", written.version, { refreshToken: "1//newer" });
 * console.log(typeof raw?.value, read?.value);
 * await backend.close();
 * ```
 *
 * @packageDocumentation
 */

export { type EncryptedStoreOptions, encryptedBackend, encryptedStore } from "./encrypted-store";
export { type FileBackendOptions, fileBackend } from "./file-backend";
export { JsonText } from "./json-text";
export {
  type CryptoContextOptions,
  createKeyRing,
  type DecryptResult,
  generateKey,
  type KeyRing,
  type KeyRingKey,
  type KeyRingOptions,
} from "./key-ring";
export { keyedMutex } from "./keyed-mutex";
export { type KeyvStoreOptions, keyvStore } from "./keyv-store";
export { type LocalPubSub, localPubSub } from "./local-pubsub";
export { memoryBackend, newLockToken } from "./memory-backend";
export { type MemoryStoreOptions, memoryStore } from "./memory-store";
export { type RotateKeysOptions, type RotateKeysResult, rotateKeys } from "./rotate-keys";
export type * from "./types";
// Helpers for store implementers (store-redis and third-party adapters), so every store validates alike.
export {
  assertExpectedVersion,
  assertKey,
  assertPositiveMs,
  compareKeys,
  DEFAULT_LIST_LIMIT,
  encodeCursor,
  encodeJson,
  expiryOf,
  type ListPage,
  listPage,
  MAX_KEY_LENGTH,
  MAX_LIST_LIMIT,
} from "./validation";
