import { RateLimitedError } from "@securecontext/protocol";
import type { Context } from "hono";
import { hashSecret } from "../clients";
import { rateLimitHeaders } from "../rate-limit";
import { bearerOf, clientIp } from "./auth";
import type { AppEnv } from "./context";
import type { AppDeps } from "./deps";
import { problemResponse } from "./errors";

/**
 * Counts a request against its budget: per API key / session token (`key:<sha256>`) on API routes,
 * per client IP (`ip:<ip>`) on browser routes and unauthenticated API calls; shared across
 * instances when the store is Redis. The check adds its `RateLimit-*` headers to `headers` and
 * resolves to the 429 response (carrying `headers`) when the budget is spent, else to undefined.
 * Undefined instead of a promise when limiting is off.
 */
export function rateLimitCheck(
  deps: Pick<AppDeps, "rateLimiter">,
): (c: Context<AppEnv>, headers: Record<string, string>) => Promise<Response | undefined> | undefined {
  return (c, headers) => {
    const limiter = deps.rateLimiter;
    if (!limiter) return undefined;
    const bearer = bearerOf(c);
    let key: string;
    if (bearer) {
      // Authentication (which runs next) reuses this hash instead of computing it again.
      const bearerHash = hashSecret(bearer);
      c.set("bearerHash", bearerHash);
      key = `key:${bearerHash}`;
    } else {
      key = `ip:${clientIp(c) ?? "unknown"}`;
    }
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
