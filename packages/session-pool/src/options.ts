import type { KeyRing, StoreBackend } from "@securecontext/token-store";
import type { OAuthProvider } from "./provider-contract";

/** Where the pool finds providers: a provider registry, or anything with `get` and `list`. */
export interface ProviderLookup {
  get(providerId: string): OAuthProvider | undefined;
  list(): OAuthProvider[];
}

/** Structured logger. Fields never carry secrets; the pool only logs ids and error codes. */
export interface PoolLogger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Bounded retry of transient refresh failures (network, 5xx, 429). */
export interface RefreshRetryOptions {
  /** Total provider calls per refresh, including the first (default 3). */
  attempts?: number;
  /** First back-off in ms, doubled each attempt with jitter (default 200). */
  baseDelayMs?: number;
  /** Longest back-off in ms (default 2 000). */
  maxDelayMs?: number;
}

/** Options of {@link createSessionPool}. Times are epoch ms / durations in ms unless named otherwise. */
export interface SessionPoolOptions {
  /**
   * The store: records, leases, counters and pub/sub. Pass the plain backend (memory, file, redis),
   * not an `encryptedBackend`: the pool encrypts token sets itself with `keyRing`.
   */
  backend: StoreBackend;
  /** Encrypts every stored token set (compact JWE); the first key encrypts, all decrypt. */
  keyRing: KeyRing;
  providers: ProviderLookup;
  /** The one OAuth redirect URI for every provider (`BASE/oauth/callback`). */
  redirectUri: string;
  /** Public base URL; connect request URLs are `BASE/connect/:id`. */
  baseUrl: string;
  /** Clock in epoch ms (default `Date.now`). */
  now?: () => number;
  /** Refresh when the access token expires within this many ms (default 60 000). */
  refreshSkewMs?: number;
  /** Lease on a connection while one process refreshes it (default 30 000 ms). */
  lockTtlMs?: number;
  /** How long a caller waits for another holder's refresh before failing (default 2 × lockTtlMs + 5 s). */
  refreshWaitMs?: number;
  refreshRetry?: RefreshRetryOptions;
  /** Live sessions allowed per user and in total (default: per user 1 000, global unlimited). */
  sessionCaps?: { perUser?: number; global?: number };
  /** Verified sessions kept in process (default 10 000 entries for at most 5 000 ms). */
  sessionCache?: { max?: number; maxAgeMs?: number };
  /** Prefix of every key the pool writes (default `scp:`). */
  keyPrefix?: string;
  /**
   * A store call that takes longer fails with `StoreError` (default 5 000 ms; 0 waits forever).
   * Not applied to backends marked `inProcess` (memory, file), which cannot hang.
   */
  storeTimeoutMs?: number;
  /** `fetch` used by `actions.authorizedFetch` (default the global fetch). */
  fetch?: typeof fetch;
  logger?: PoolLogger;
}

/** Options with defaults applied. */
export interface ResolvedOptions {
  backend: StoreBackend;
  keyRing: KeyRing;
  providers: ProviderLookup;
  redirectUri: string;
  baseUrl: string;
  now: () => number;
  refreshSkewMs: number;
  lockTtlMs: number;
  refreshWaitMs: number;
  refreshRetry: Required<RefreshRetryOptions>;
  sessionCaps: { perUser: number | undefined; global: number | undefined };
  sessionCache: { max: number; maxAgeMs: number };
  keyPrefix: string;
  storeTimeoutMs: number;
  fetch: typeof fetch;
  logger: PoolLogger;
}

const silentLogger: PoolLogger = { warn() {}, error() {} };

export function resolveOptions(options: SessionPoolOptions): ResolvedOptions {
  const lockTtlMs = options.lockTtlMs ?? 30_000;
  return {
    backend: options.backend,
    keyRing: options.keyRing,
    providers: options.providers,
    redirectUri: options.redirectUri,
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    now: options.now ?? Date.now,
    refreshSkewMs: options.refreshSkewMs ?? 60_000,
    lockTtlMs,
    refreshWaitMs: options.refreshWaitMs ?? 2 * lockTtlMs + 5_000,
    refreshRetry: {
      attempts: options.refreshRetry?.attempts ?? 3,
      baseDelayMs: options.refreshRetry?.baseDelayMs ?? 200,
      maxDelayMs: options.refreshRetry?.maxDelayMs ?? 2_000,
    },
    sessionCaps: {
      perUser: options.sessionCaps?.perUser ?? 1_000,
      global: options.sessionCaps?.global,
    },
    sessionCache: {
      max: options.sessionCache?.max ?? 10_000,
      maxAgeMs: options.sessionCache?.maxAgeMs ?? 5_000,
    },
    keyPrefix: options.keyPrefix ?? "scp:",
    storeTimeoutMs: options.storeTimeoutMs ?? 5_000,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    logger: options.logger ?? silentLogger,
  };
}
