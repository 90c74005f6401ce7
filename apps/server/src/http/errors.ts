import { isScpError, PROBLEM_CONTENT_TYPE, type Problem, ScpError, toProblem } from "@securecontext/protocol";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "pino";

/** A problem+json response for any thrown value (unknown errors → generic 500, nothing leaked). */
export function problemResponse(error: unknown, headers: Record<string, string> = {}): Response {
  const problem: Problem = toProblem(error);
  const extraHeaders: Record<string, string> = { ...headers };
  if (problem.status === 401) extraHeaders["WWW-Authenticate"] ??= 'Bearer realm="securecontext"';
  if (problem.status === 429 && typeof problem.retryAfter === "number") {
    extraHeaders["Retry-After"] ??= String(Math.max(1, Math.ceil(problem.retryAfter)));
  }
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { "Content-Type": PROBLEM_CONTENT_TYPE, "Cache-Control": "no-store", ...extraHeaders },
  });
}

/** Maps framework errors (malformed JSON, Hono exceptions) into the SCP family before `toProblem`. */
export function normalizeError(error: unknown): unknown {
  if (isScpError(error)) return error;
  if (error instanceof HTTPException) {
    const status = error.status;
    const code =
      status === 413
        ? "payload_too_large"
        : status === 415
          ? "unsupported_media_type"
          : status === 404
            ? "not_found"
            : status < 500
              ? "invalid_request"
              : "internal";
    return new ScpError(error.message || "Request failed", { code, status });
  }
  return error;
}

/** Hono `onError` handler: logs unknown errors (message only, never request data) and answers problem+json. */
export function createErrorHandler(logger: Logger) {
  return (error: Error, c: Context): Response => {
    const normalized = normalizeError(error);
    const problem = toProblem(normalized);
    if (problem.status >= 500) {
      logger.error(
        {
          requestId: c.get("requestId"),
          err: {
            name: error.name,
            message: isScpError(error) ? error.message : "unexpected error",
            stack: error.stack,
          },
        },
        "request failed",
      );
    }
    return problemResponse(normalized);
  };
}
