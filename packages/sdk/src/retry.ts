import { type Clock, throwIfAborted } from "./abort";

/** Back-off settings for retryable failures (429, 503, network errors). */
export interface RetryOptions {
  /** Total attempts including the first; 1 disables retries. Default 3. */
  attempts: number;
  /** First back-off ceiling in ms, doubled per attempt. Default 250. */
  baseDelayMs: number;
  /**
   * Longest wait in ms between attempts. A `Retry-After` longer than this is not waited out: the
   * error is thrown at once so the caller can decide. Default 10 000.
   */
  maxDelayMs: number;
}

export const defaultRetryOptions: Readonly<RetryOptions> = Object.freeze({
  attempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
});

/** Methods that may be repeated without changing the outcome (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "DELETE", "PUT", "OPTIONS"]);

export function isIdempotent(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/** HTTP statuses worth retrying: rate limited and temporarily unavailable. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 503;
}

/**
 * `Retry-After` (RFC 9110 §10.2.3) in milliseconds: delta-seconds or an HTTP date. Undefined when
 * absent or unparsable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Wait before attempt `attempt + 1` (attempt counts from 0). Without `Retry-After`: "full jitter"
 * — uniform in [0, min(maxDelayMs, baseDelayMs·2^attempt)]. With it: the server's delay plus up to
 * `baseDelayMs` of jitter so many clients do not return in lockstep. Returns undefined when the
 * server asks for longer than `maxDelayMs` (do not retry).
 */
export function backoffDelay(
  attempt: number,
  options: RetryOptions,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterMs !== undefined) {
    if (retryAfterMs > options.maxDelayMs) return undefined;
    return Math.min(options.maxDelayMs, retryAfterMs + Math.floor(random() * options.baseDelayMs));
  }
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** What one attempt produced, as the retry loop needs to know it. */
export type AttemptOutcome<T> =
  | { kind: "done"; value: T }
  | {
      kind: "retryable";
      error: unknown;
      retryAfterMs?: number;
      /** Returned instead of throwing `error` when no retry is left (a raw response, say). */
      fallback?: T;
      /** Called when the outcome is dropped for another attempt (release a response body). */
      discard?: () => void;
    }
  | { kind: "fatal"; error: unknown };

export interface RetryLoopOptions {
  retry: RetryOptions | false;
  clock: Clock;
  random?: () => number;
  signal?: AbortSignal;
  /** Called before each wait (for logging / tests). */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/**
 * Runs `attempt` until it is done, fatal, or out of attempts, sleeping with jittered exponential
 * back-off (honouring `Retry-After`) in between. The last retryable error is thrown as is.
 */
export async function runWithRetry<T>(
  attempt: (index: number) => Promise<AttemptOutcome<T>>,
  options: RetryLoopOptions,
): Promise<T> {
  const policy = options.retry === false ? { ...defaultRetryOptions, attempts: 1 } : options.retry;
  const attempts = Math.max(1, Math.floor(policy.attempts));
  for (let index = 0; ; index++) {
    throwIfAborted(options.signal);
    const outcome = await attempt(index);
    if (outcome.kind === "done") return outcome.value;
    if (outcome.kind === "fatal") throw outcome.error;
    const delayMs =
      index + 1 >= attempts ? undefined : backoffDelay(index, policy, outcome.retryAfterMs, options.random);
    if (delayMs === undefined) {
      if ("fallback" in outcome && outcome.fallback !== undefined) return outcome.fallback;
      throw outcome.error;
    }
    outcome.discard?.();
    options.onRetry?.({ attempt: index + 1, delayMs, error: outcome.error });
    await options.clock.sleep(delayMs, options.signal);
  }
}
