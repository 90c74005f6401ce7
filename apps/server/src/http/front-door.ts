import type { Context, MiddlewareHandler } from "hono";
import { hashSecret } from "../clients";
import { authenticate, bearerOf } from "./auth";
import type { AppEnv } from "./context";
import type { AppDeps } from "./deps";
import { requestEnded, requestStarted } from "./observe";
import { rateLimitCheck } from "./rate-limit";
import { assignRequestId } from "./request-id";
import { presetResponseHeaders, setResponseHeaders } from "./response-headers";

/** Routes with a rate limit: the API, the browser flow and pages, and metrics. */
const RATE_LIMITED = ["/v1", "/connect", "/oauth", "/my", "/demo", "/metrics"];
/** Routes that resolve a bearer credential into a caller. */
const AUTHENTICATED = ["/v1", "/metrics"];

/** `path` is one of `prefixes` or below one (`/my` and `/my/…`, never `/mystery`). */
function under(path: string, prefixes: readonly string[]): boolean {
  for (const prefix of prefixes) {
    if (path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47))
      return true;
  }
  return false;
}

/**
 * The one middleware every request passes, its steps in order: request id (echoed as
 * `X-Request-Id`), request log line and metrics, rate limit (with its `RateLimit-*` headers) and
 * authentication. A failed step answers like a failed handler, through `onError`, and the response
 * still carries the headers and is still logged.
 *
 * One Hono layer instead of four: each layer is an async dispatch frame, promises and microtask
 * turns per request (about 2 µs per layer on the bench host, a tenth of a warm token call for the
 * four).
 */
export function frontDoor(
  deps: AppDeps,
  onError: (error: Error, c: Context<AppEnv>) => Response,
): MiddlewareHandler<AppEnv> {
  const checkRateLimit = rateLimitCheck(deps);
  const authenticateCaller = authenticate(deps);
  return async (c, next) => {
    const started = requestStarted(deps);
    const headers: Record<string, string> = { "X-Request-Id": assignRequestId(c) };
    let preset = false;
    try {
      const path = c.req.path;
      const limited = under(path, RATE_LIMITED);
      const authenticated = under(path, AUTHENTICATED);
      // Parsed and hashed once for both steps (the hash keys the budget and finds a client key).
      const bearer = limited || authenticated ? bearerOf(c) : undefined;
      const bearerHash = bearer ? hashSecret(bearer) : undefined;
      if (limited) {
        const counting = checkRateLimit(c, bearerHash, headers);
        const blocked = counting && (await counting);
        if (blocked) {
          c.res = blocked;
          return;
        }
      }
      preset = presetResponseHeaders(c, headers);
      if (authenticated) {
        const pending = authenticateCaller(c, bearer, bearerHash);
        if (pending) await pending;
      }
      await next();
    } catch (error) {
      // What Hono's compose does for a throwing middleware (a handler's error is already answered
      // inside `next`).
      if (!(error instanceof Error)) throw error;
      c.error = error;
      c.res = onError(error, c);
    } finally {
      if (!preset) setResponseHeaders(c, headers);
      requestEnded(deps, c, started);
    }
  };
}
