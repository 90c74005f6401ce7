/**
 * Connections, sessions and exactly-once token refresh for SecureContext. Token sets are stored
 * encrypted (compact JWE through the key ring); a refresh happens once per expiry across every
 * process sharing the store; session tokens are stored only as SHA-256 hashes and verified through
 * an in-process cache that every instance invalidates on revocation.
 *
 * @example
 * ```ts
 * import { createSessionPool } from "@securecontext/session-pool";
 * import { createKeyRing, generateKey, memoryBackend } from "@securecontext/token-store";
 * import type { OAuthProvider } from "@securecontext/providers";
 *
 * const providers = new Map<string, OAuthProvider>(); // e.g. from createProviderRegistry(...)
 * const pool = createSessionPool({
 *   backend: memoryBackend(),
 *   keyRing: createKeyRing({ keys: [generateKey("k1")] }),
 *   providers: { get: (id) => providers.get(id), list: () => [...providers.values()] },
 *   redirectUri: "http://localhost:8787/oauth/callback",
 *   baseUrl: "http://localhost:8787",
 * });
 * pool.onEvent((event) => console.log(event.type));
 *
 * const { session, token } = await pool.sessions.create({ clientId: null, userId: "u_1", ttlSeconds: 600 });
 * console.log((await pool.sessions.verify(token))?.id === session.id); // true
 * await pool.sessions.revoke(session.id);
 * console.log(await pool.sessions.verify(token)); // undefined
 * await pool.close();
 * ```
 *
 * @packageDocumentation
 */

export { canonicalJson, computeAuditHash, GENESIS_HASH } from "./audit-canonical";
export {
  type AuditAppendInput,
  type AuditListFilter,
  type AuditLog,
  type AuditLogOptions,
  createAuditLog,
} from "./audit-log";
export { type ConnectFailureReason, ConnectFlowError } from "./connect-errors";
export { type IndexKeys, type KeyLayout, keyLayout } from "./keys";
export type { PoolLogger, ProviderLookup, RefreshRetryOptions, SessionPoolOptions } from "./options";
export { createSessionPool } from "./pool";
export type * from "./types";
