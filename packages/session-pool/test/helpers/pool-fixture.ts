import {
  createKeyRing,
  generateKey,
  type KeyRing,
  memoryBackend,
  type StoreBackend,
} from "@securecontext/token-store";
import { createSessionPool, type SessionPoolOptions } from "../../src";
import type { OAuthProvider } from "../../src/provider-contract";
import type { PoolEvent, SessionPool } from "../../src/types";

/** A pool on a memory backend with the given providers, recording its events. */
export function poolFixture(
  providers: OAuthProvider[],
  overrides: Partial<SessionPoolOptions> & { backend?: StoreBackend; keyRing?: KeyRing } = {},
): { pool: SessionPool; backend: StoreBackend; keyRing: KeyRing; events: PoolEvent[] } {
  const backend =
    overrides.backend ??
    memoryBackend({ sweepIntervalMs: 0, ...(overrides.now ? { now: overrides.now } : {}) });
  const keyRing = overrides.keyRing ?? createKeyRing({ keys: [generateKey("k1")] });
  const byId = new Map(providers.map((provider) => [provider.id, provider]));
  const pool = createSessionPool({
    redirectUri: "http://scp.test/oauth/callback",
    baseUrl: "http://scp.test",
    refreshRetry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    ...overrides,
    backend,
    keyRing,
    providers: { get: (id) => byId.get(id), list: () => [...byId.values()] },
  });
  const events: PoolEvent[] = [];
  pool.onEvent((event) => events.push(event));
  return { pool, backend, keyRing, events };
}
