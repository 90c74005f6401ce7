import { RateLimitedError } from "@securecontext/protocol";
import type { Context } from "hono";
import { rateLimitHeaders } from "../rate-limit";
import { clientIp } from "./auth";
import type { AppEnv } from "./context";
import type { AppDeps } from "./deps";
import { problemResponse } from "./errors";

/**
 * Counts a request against its budget: per API key / session token (`key:<bearerHash>`, the hash of
 * the credential presented) on API routes, per client IP (`ip:<ip>`) on browser routes and
 * unauthenticated API calls; shared across
 * instances when the store is Redis. The check adds its `RateLimit-*` headers to `headers` and
 * resolves to the 429 response (carrying `headers`) when the budget is spent, else to undefined.
 * Undefined instead of a promise when limiting is off.
 */
export function rateLimitCheck(
  deps: Pick<AppDeps, "rateLimiter">,
): (
  c: Context<AppEnv>,
  bearerHash: string | undefined,
  headers: Record<string, string>,
) => Promise<Response | undefined> | undefined {
  return (c, bearerHash, headers) => {
    const limiter = deps.rateLimiter;
    if (!limiter) return undefined;
    const key = bearerHash ? `key:${bearerHash}` : `ip:${clientIp(c) ?? "unknown"}`;
    return limiter.check(key).then((result) => {
      Object.assign(headers, rateLimitHeaders(result));
      if (result.allowed) return undefined;
      return problemResponse(
        new RateLimitedError("Too many requests; retry later", {
          retryAfter: Math.max(1, result.retryAfterSeconds),
        }),
        headers,
      );
    });
  };
}
