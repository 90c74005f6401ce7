import { ConfigError } from "@securecontext/protocol";
import { encryptedStore } from "@securecontext/token-store";
import { createAccessTokenService } from "./access-token";
import { createActionService } from "./actions";
import { createConnectFlowService } from "./connect-flow";
import { createConnectionService } from "./connections";
import type { PoolContext } from "./context";
import { createEventBus } from "./events";
import { keyLayout } from "./keys";
import { resolveOptions, type SessionPoolOptions } from "./options";
import { createSessionCache } from "./session-cache";
import { createSessionService } from "./sessions";
import { guardBackend } from "./store-guard";
import { createTokenSetCache } from "./token-set-cache";
import type { SessionPool } from "./types";

/**
 * Creates a session pool over a store. Everything is persisted in `backend`, so a restarted process
 * (or another instance on the same Redis) sees every connection, session and connect request. The
 * pool subscribes to session revocations at once; `close()` unsubscribes but leaves the backend
 * open (the caller owns it).
 *
 * @throws ConfigError when `redirectUri` or `baseUrl` is not an absolute URL or a number option is invalid.
 */
export function createSessionPool(options: SessionPoolOptions): SessionPool {
  const resolved = resolveOptions(options);
  for (const field of ["redirectUri", "baseUrl"] as const) {
    if (!URL.canParse(resolved[field])) throw new ConfigError(`${field} must be an absolute URL`, { field });
  }
  for (const field of ["refreshSkewMs", "lockTtlMs", "refreshWaitMs"] as const) {
    const value = resolved[field];
    if (!Number.isSafeInteger(value) || value < 0 || (field === "lockTtlMs" && value < 100)) {
      throw new ConfigError(`${field} must be a non-negative integer number of milliseconds`, { field });
    }
  }
  const keys = keyLayout(resolved.keyPrefix);
  const records = encryptedStore({
    store: resolved.backend.records,
    keyRing: resolved.keyRing,
    isSecret: keys.isSecret,
  });
  // In-process stores cannot hang; a timer per store call cost more than their operations.
  const storeTimeoutMs = resolved.backend.inProcess ? 0 : resolved.storeTimeoutMs;
  const context: PoolContext = {
    options: resolved,
    keys,
    store: guardBackend(resolved.backend, records, storeTimeoutMs),
    events: createEventBus(resolved.logger),
    tokenSets: createTokenSetCache({
      raw: resolved.backend.records,
      keyRing: resolved.keyRing,
      max: 10_000,
      storeTimeoutMs,
    }),
  };
  const cache = createSessionCache(context);
  void cache.start();
  const tokens = createAccessTokenService(context);
  const connections = createConnectionService(context);
  const sessions = createSessionService(context, connections, cache);
  return {
    connections,
    sessions,
    connect: createConnectFlowService(context, connections),
    actions: createActionService(context, tokens),
    getAccessToken: (connectionId, getOptions) => tokens.getAccessToken(connectionId, getOptions),
    onEvent: (listener) => context.events.on(listener),
    async close() {
      context.events.clear();
      context.tokenSets?.clear();
      await cache.close();
    },
  };
}
