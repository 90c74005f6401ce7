import type { Context } from "hono";
import { routePath } from "hono/route";
import { RequestLogLine, writeRequestLine } from "../logging";
import type { AppEnv } from "./context";
import type { AppDeps } from "./deps";

/** The matched route pattern (never the raw path, which may hold ids or tokens). */
export function routeLabel(c: Context<AppEnv>): string {
  const pattern = routePath(c, -1);
  // `*` is the front door's pattern (app.ts), the last match only when no route handled the request.
  return !pattern || pattern === "*" ? "unmatched" : pattern;
}

/** Marks a request as in flight; pass what it returns to {@link requestEnded}. */
export function requestStarted(deps: Pick<AppDeps, "inflight">): number {
  if (deps.inflight) deps.inflight.count += 1;
  return performance.now();
}

/**
 * One JSON log line for a finished request (request id, method, route pattern, status, ms) and the
 * HTTP metrics. Logs never carry headers, query strings or bodies.
 */
export function requestEnded(
  deps: Pick<AppDeps, "inflight" | "metrics" | "logger">,
  c: Context<AppEnv>,
  started: number,
): void {
  if (deps.inflight) deps.inflight.count -= 1;
  const seconds = (performance.now() - started) / 1000;
  const route = routeLabel(c);
  const status = c.res.status;
  deps.metrics.observeRequest(route, c.req.method, status, seconds);
  writeRequestLine(
    deps.logger,
    new RequestLogLine(c.get("requestId"), c.req.method, route, status, Math.round(seconds * 10_000) / 10),
  );
}
