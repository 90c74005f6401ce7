import type { TokenSet } from "@securecontext/protocol";
import type { StoredRecord } from "@securecontext/token-store";
import type { PoolContext } from "./context";

/**
 * Token sets at rest. The pool's record store encrypts every `tok:` key as compact JWE bound to its
 * record key, and re-encrypts lazily on read under an old key; this module only names the calls.
 */
export function readTokenSet(
  context: PoolContext,
  connectionId: string,
): Promise<StoredRecord<TokenSet> | undefined> {
  return context.store.records.get<TokenSet>(context.keys.tokenSet(connectionId));
}

export function writeTokenSet(context: PoolContext, connectionId: string, tokenSet: TokenSet) {
  return context.store.records.set<TokenSet>(context.keys.tokenSet(connectionId), tokenSet);
}

/** Writes only when the stored version is still `expectedVersion`; null when another writer won. */
export function replaceTokenSet(
  context: PoolContext,
  connectionId: string,
  expectedVersion: number,
  tokenSet: TokenSet,
) {
  return context.store.records.compareAndSet<TokenSet>(
    context.keys.tokenSet(connectionId),
    expectedVersion,
    tokenSet,
  );
}

export function eraseTokenSet(context: PoolContext, connectionId: string) {
  return context.store.records.delete(context.keys.tokenSet(connectionId));
}
