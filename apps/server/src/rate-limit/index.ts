/**
 * Per-key fixed-window rate limiting on a store's counters, and the matching response headers.
 *
 * @example
 * ```ts
 * import { memoryBackend } from "@securecontext/token-store";
 * import { createRateLimiter, rateLimitHeaders } from "./rate-limit";
 *
 * const limiter = createRateLimiter({ counters: memoryBackend().counters, limitPerMinute: 2 });
 * const result = await limiter.check("ip:203.0.113.7");
 * rateLimitHeaders(result); // { "RateLimit-Limit": "2", "RateLimit-Remaining": "1", "RateLimit-Reset": "60", … }
 * ```
 *
 * @module
 */
export {
  createRateLimiter,
  RATE_LIMIT_WINDOW_MS,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitResult,
  rateLimitHeaders,
} from "./rate-limiter";
