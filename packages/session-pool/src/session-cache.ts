import type { Session } from "@securecontext/protocol";
import { LRUCache } from "lru-cache";
import type { PoolContext } from "./context";
import { describe } from "./events";
import type { SessionChangeMessage } from "./session-records";

interface CachedSession {
  session: Session;
  expiresAt: number;
}

/**
 * In-process LRU of verified sessions keyed by token hash, with a short max age. Every instance
 * subscribes to the session channel at pool start; a revocation anywhere drops the entry here at
 * once. While the subscription is not confirmed the cache is bypassed, so a missed message can never
 * keep a revoked session alive. Recently revoked ids are remembered so that a store read that raced
 * a revocation is not cached.
 */
export function createSessionCache(context: PoolContext) {
  const { options } = context;
  const cache = new LRUCache<string, CachedSession>({
    max: options.sessionCache.max,
    ttl: options.sessionCache.maxAgeMs,
  });
  const revoked = new LRUCache<string, true>({
    max: 100_000,
    ttl: Math.max(60_000, options.sessionCache.maxAgeMs * 4),
  });
  let subscribed = false;
  let unsubscribe: (() => Promise<void>) | undefined;
  let subscribing: Promise<void> | undefined;
  let lastAttempt = 0;
  let closed = false;

  const onMessage = (message: string) => {
    try {
      const change = JSON.parse(message) as SessionChangeMessage;
      if (typeof change.tokenHash === "string") cache.delete(change.tokenHash);
      if (change.type === "revoked" && typeof change.sessionId === "string")
        revoked.set(change.sessionId, true);
    } catch {
      options.logger.warn("ignored a malformed session channel message");
    }
  };

  const subscribe = (): Promise<void> => {
    if (subscribed || closed) return Promise.resolve();
    if (subscribing) return subscribing;
    lastAttempt = Date.now();
    subscribing = context.store.pubsub
      .subscribe(context.keys.sessionChannel(), onMessage)
      .then(
        (stop) => {
          if (closed) {
            void stop().catch(() => {});
            return;
          }
          unsubscribe = stop;
          subscribed = true;
        },
        (error: unknown) => {
          options.logger.warn("session channel subscription failed; verifying against the store", {
            error: describe(error),
          });
        },
      )
      .finally(() => {
        subscribing = undefined;
      });
    return subscribing;
  };

  return {
    /** Starts the subscription (called at pool start). */
    start: subscribe,
    /** Waits for the first subscription attempt; retries a failed one at most every 5 s. */
    async ready(): Promise<boolean> {
      if (subscribed) return true;
      if (subscribing) await subscribing;
      else if (Date.now() - lastAttempt > 5_000) await subscribe();
      return subscribed;
    },
    get(tokenHash: string): Session | undefined {
      const hit = cache.get(tokenHash);
      if (!hit) return undefined;
      if (hit.expiresAt <= options.now() || revoked.has(hit.session.id)) {
        cache.delete(tokenHash);
        return undefined;
      }
      return hit.session;
    },
    set(tokenHash: string, session: Session, expiresAt: number): void {
      if (!subscribed || revoked.has(session.id)) return;
      cache.set(tokenHash, { session, expiresAt });
    },
    isRevoked: (sessionId: string) => revoked.has(sessionId),
    /** Local invalidation, before the message goes out to the other instances. */
    invalidate(change: SessionChangeMessage): void {
      cache.delete(change.tokenHash);
      if (change.type === "revoked") revoked.set(change.sessionId, true);
    },
    get size() {
      return cache.size;
    },
    async close(): Promise<void> {
      closed = true;
      cache.clear();
      const stop = unsubscribe;
      unsubscribe = undefined;
      subscribed = false;
      if (stop) await stop().catch(() => {});
    },
  };
}

export type SessionCache = ReturnType<typeof createSessionCache>;
