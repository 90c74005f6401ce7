/** Retry policy of webhook deliveries. */
export interface RetryPolicy {
  /** Total delivery attempts, the first included (default 6). */
  attempts: number;
  /** Delay before the first retry; doubles each time (default 20 000 ms). */
  baseDelayMs: number;
  /** Cap on any one delay (default 300 000 ms). */
  maxDelayMs: number;
}

/** Defaults: 6 attempts, 20 s doubling, capped at 5 min — retries spread over about 10 minutes. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  attempts: 6,
  baseDelayMs: 20_000,
  maxDelayMs: 300_000,
};

/**
 * Delay before retry number `retry` (1 = the first retry): exponential `base · 2^(retry-1)`,
 * capped at `maxDelayMs`, with "equal jitter" (a uniform pick in [d/2, d]) so that receivers
 * recovering from an outage are not hit by every sender at once.
 */
export function retryDelayMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
