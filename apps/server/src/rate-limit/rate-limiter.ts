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
 * The checks of one event-loop turn are counted together once the turn's I/O is done
 * (`setImmediate`): their increments reach the store back to back, in call order (one SQLite
 * transaction on the file store, one pipelined write on Redis), and each check still gets the
 * exact count of its own increment. The requests waiting on them then continue together, stage by
 * stage, and their responses leave in one burst. Under load this halved the server's CPU per
 * request on small API calls: interleaving each request's whole path with the next one's reading
 * cost cache locality, and every response written alone woke the peer again.
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
  const resultOf = ({ count, resetAt }: { count: number; resetAt: number }): RateLimitResult => {
    const allowed = count <= limit;
    const secondsLeft = Math.max(1, Math.ceil((resetAt - now()) / 1000));
    return {
      allowed,
      limit,
      remaining: Math.max(0, limit - count),
      resetAt,
      retryAfterSeconds: allowed ? 0 : secondsLeft,
    };
  };

  let pending: PendingCheck[] = [];
  const countTurn = () => {
    const batch = pending;
    pending = [];
    for (const item of batch) {
      let counted: Promise<{ count: number; resetAt: number }>;
      try {
        counted = counters.increment(`${prefix}${item.key}`, RATE_LIMIT_WINDOW_MS);
      } catch (error) {
        item.reject(error);
        continue;
      }
      counted.then((window) => item.resolve(resultOf(window)), item.reject);
    }
  };

  return {
    check(key: string): Promise<RateLimitResult> {
      if (limit === 0)
        return Promise.resolve({ allowed: true, limit: 0, remaining: 0, resetAt: 0, retryAfterSeconds: 0 });
      return new Promise<RateLimitResult>((resolve, reject) => {
        if (pending.push({ key, resolve, reject }) === 1) setImmediate(countTurn);
      });
    },
  };
}

/** A check waiting for its turn's increments. */
interface PendingCheck {
  key: string;
  resolve(result: RateLimitResult): void;
  reject(error: unknown): void;
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
