import { RateLimitedError } from "@securecontext/protocol";
import type { MiddlewareHandler } from "hono";
import { hashSecret } from "../clients";
import { bearerOf, clientIp } from "./auth";
import type { AppEnv } from "./context";
import type { AppDeps } from "./deps";
import { problemResponse } from "./errors";
import { nextWithResponseHeaders } from "./response-headers";
import type { RateLimitResult } from "./services";

/**
 * Per API key / session token (`key:<sha256>`) on API routes, per client IP (`ip:<ip>`) on browser
 * routes and unauthenticated API calls. Shared across instances when the store is Redis.
 */
export function rateLimit(
  deps: AppDeps,
  headersOf: (result: RateLimitResult) => Record<string, string>,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const limiter = deps.rateLimiter;
    if (!limiter) return next();
    const bearer = bearerOf(c);
    let key: string;
    if (bearer) {
      // The auth middleware (which runs next) reuses this hash instead of computing it again.
      const bearerHash = hashSecret(bearer);
      c.set("bearerHash", bearerHash);
      key = `key:${bearerHash}`;
    } else {
      key = `ip:${clientIp(c) ?? "unknown"}`;
    }
    const result = await limiter.check(key);
    const headers = headersOf(result);
    if (!result.allowed) {
      return problemResponse(
        new RateLimitedError("Too many requests; retry later", {
          retryAfter: Math.max(1, result.retryAfterSeconds),
        }),
        headers,
      );
    }
    return nextWithResponseHeaders(c, headers, next);
  };
}
