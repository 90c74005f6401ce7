import type { TokenSet } from "@securecontext/protocol";
import type { StoredRecord } from "@securecontext/token-store";
import type { PoolContext } from "./context";

/**
 * Token sets at rest. The pool's record store encrypts every `tok:` key as compact JWE bound to its
 * record key, and re-encrypts lazily on read under an old key; this module only names the calls.
 * Reads go through the pool's token-set cache, which still reads the store every time and only
 * skips decrypting a ciphertext it decrypted before (see `token-set-cache.ts`).
 */
export function readTokenSet(
  context: PoolContext,
  connectionId: string,
): Promise<StoredRecord<TokenSet> | undefined> {
  const key = context.keys.tokenSet(connectionId);
  const slow = () => context.store.records.get<TokenSet>(key);
  return context.tokenSets ? context.tokenSets.read(key, slow) : slow();
}

export async function writeTokenSet(context: PoolContext, connectionId: string, tokenSet: TokenSet) {
  const key = context.keys.tokenSet(connectionId);
  context.tokenSets?.forget(key);
  try {
    return await context.store.records.set<TokenSet>(key, tokenSet);
  } finally {
    context.tokenSets?.forget(key);
  }
}

/** Writes only when the stored version is still `expectedVersion`; null when another writer won. */
export async function replaceTokenSet(
  context: PoolContext,
  connectionId: string,
  expectedVersion: number,
  tokenSet: TokenSet,
) {
  const key = context.keys.tokenSet(connectionId);
  try {
    return await context.store.records.compareAndSet<TokenSet>(key, expectedVersion, tokenSet);
  } finally {
    context.tokenSets?.forget(key);
  }
}

export async function eraseTokenSet(context: PoolContext, connectionId: string) {
  const key = context.keys.tokenSet(connectionId);
  try {
    return await context.store.records.delete(key);
  } finally {
    context.tokenSets?.forget(key);
  }
}
