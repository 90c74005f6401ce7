import type { Counters } from "@securecontext/token-store";

/** The outcome of one {@link RateLimiter.check}. */
export interface RateLimitResult {
  allowed: boolean;
  /** Requests allowed per window; `0` when limiting is off. */
  limit: number;
  /** Requests left in this window (never negative). */
  remaining: number;
  /** Epoch ms when the window resets (`0` when limiting is off). */
  resetAt: number;
  /** Seconds until a blocked caller may retry (`0` when allowed). */
  retryAfterSeconds: number;
}

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** A store's counters; with Redis every instance shares the budget. */
  counters: Counters;
  /** Requests per minute per key; `0` (or less) turns limiting off. */
  limitPerMinute: number;
  /** Counter key prefix (default `rl:`). */
  prefix?: string;
  /** Clock (epoch ms); default `Date.now`. */
  now?: () => number;
}

/** Fixed-window (one minute) rate limiter. */
export interface RateLimiter {
  /** Counts one request against `key` (for example `key:<sha256>` or `ip:<addr>`) and says whether it may proceed. */
  check(key: string): Promise<RateLimitResult>;
}

/** Length of a window. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * A fixed-window limiter on `counters.increment(key, 60_000)`: the n-th request of a window is
 * allowed while n ≤ `limitPerMinute`. Store errors propagate (the caller decides fail-open or
 * fail-closed).
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ counters: backend.counters, limitPerMinute: 6000 });
 * const result = await limiter.check(`key:${sha256(bearer)}`);
 * for (const [name, value] of Object.entries(rateLimitHeaders(result))) c.header(name, value);
 * if (!result.allowed) throw new RateLimitedError("too many requests", { retryAfter: result.retryAfterSeconds });
 * ```
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { counters } = options;
  const limit = Number.isFinite(options.limitPerMinute) ? Math.max(0, Math.floor(options.limitPerMinute)) : 0;
  const prefix = options.prefix ?? "rl:";
  const now = options.now ?? Date.now;
  return {
    async check(key: string): Promise<RateLimitResult> {
      if (limit === 0) return { allowed: true, limit: 0, remaining: 0, resetAt: 0, retryAfterSeconds: 0 };
      const { count, resetAt } = await counters.increment(`${prefix}${key}`, RATE_LIMIT_WINDOW_MS);
      const allowed = count <= limit;
      const secondsLeft = Math.max(1, Math.ceil((resetAt - now()) / 1000));
      return {
        allowed,
        limit,
        remaining: Math.max(0, limit - count),
        resetAt,
        retryAfterSeconds: allowed ? 0 : secondsLeft,
      };
    },
  };
}

/**
 * Response headers for a check, per the IETF RateLimit header fields draft (the
 * `RateLimit-Limit` / `RateLimit-Remaining` / `RateLimit-Reset` form, reset in delta seconds) plus
 * `RateLimit-Policy` and, when blocked, `Retry-After`. Empty when limiting is off.
 */
export function rateLimitHeaders(
  result: RateLimitResult,
  now: () => number = Date.now,
): Record<string, string> {
  if (result.limit === 0) return {};
  const reset = Math.max(0, Math.ceil((result.resetAt - now()) / 1000));
  const headers: Record<string, string> = {
    "RateLimit-Limit": String(result.limit),
    "RateLimit-Remaining": String(result.remaining),
    "RateLimit-Reset": String(reset),
    "RateLimit-Policy": `${result.limit};w=${RATE_LIMIT_WINDOW_MS / 1000}`,
  };
  if (!result.allowed) headers["Retry-After"] = String(result.retryAfterSeconds);
  return headers;
}
