import type { Clock } from "./abort";
import type { RetryOptions } from "./retry";

/** Options of {@link createClient}. Never mutated. */
export interface ClientOptions {
  /** Where the SCP server lives, e.g. `https://scp.example.com` (a path prefix is kept). */
  baseUrl: string;
  /** Admin key or client API key (`scp_sk_…`). Give this or `sessionToken`, not both. */
  apiKey?: string;
  /** Session token (`scp_st_…`) for an agent acting within one session. */
  sessionToken?: string;
  /** `fetch` to use; defaults to the global one. Inject for proxies, tracing or tests. */
  fetch?: typeof fetch;
  /** Back-off for 429/503/network errors on idempotent calls; `false` turns retries off. */
  retry?: Partial<RetryOptions> | false;
  /** Per-attempt timeout in ms (until the body is read; streams: until headers). Default 30 000. */
  timeoutMs?: number;
  /** `User-Agent` to send (ignored by browsers). Default `securecontext-sdk/<version>` outside browsers. */
  userAgent?: string;
  /** Extra headers on every request (never `Authorization`: use `apiKey` / `sessionToken`). */
  headers?: Record<string, string>;
  /** Clock for back-off waits and timestamps; for tests. */
  clock?: Clock;
  /** Random source in [0, 1) for back-off jitter; for tests. */
  random?: () => number;
}

/** Per-call options every method accepts. */
export interface RequestOptions {
  /** Aborts the call (and any back-off wait or stream) when signalled. */
  signal?: AbortSignal;
  /** Overrides the client's per-attempt timeout. */
  timeoutMs?: number;
  /**
   * `undefined`: the client's policy, for idempotent methods (GET/HEAD/DELETE/PUT) only.
   * `true` or a policy: also retry this non-idempotent call (only when you know it is safe).
   * `false`: never retry this call.
   */
  retry?: boolean | Partial<RetryOptions>;
  /** Extra headers for this call. */
  headers?: Record<string, string>;
}

export const SDK_VERSION = "0.1.0";
export const DEFAULT_TIMEOUT_MS = 30_000;
