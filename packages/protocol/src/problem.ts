import { z } from "zod";
import {
  AuthRequiredError,
  ConflictError,
  type ErrorCode,
  errorCodes,
  ForbiddenError,
  isScpError,
  NotFoundError,
  PayloadTooLargeError,
  ProviderError,
  RateLimitedError,
  ReauthRequiredError,
  ScpError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  UpstreamError,
  ValidationError,
} from "./errors";

export const errorCodeSchema = z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]);

/** RFC 9457 problem details as SCP sends them; extra members are allowed. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string().optional(),
    code: errorCodeSchema,
    instance: z.string().optional(),
  })
  .catchall(z.unknown());

export type Problem = z.infer<typeof problemSchema>;

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

const titles: Record<ErrorCode, string> = {
  invalid_request: "Invalid request",
  unauthorized: "Unauthorized",
  forbidden: "Forbidden",
  not_found: "Not found",
  conflict: "Conflict",
  rate_limited: "Too many requests",
  auth_required: "Authorization required",
  insufficient_scope: "Insufficient scope",
  reauth_required: "Reconnection required",
  provider_error: "Provider error",
  upstream_error: "Upstream error",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  internal: "Internal error",
};

/** The `type` URI for a code. Stable; documented in docs/protocol. */
export function problemType(code: ErrorCode): string {
  return `https://securecontext.dev/problems/${code.replaceAll("_", "-")}`;
}

/**
 * Maps any thrown value to a problem body. Unknown errors become a generic 500 whose detail
 * never echoes the original message (it might hold a secret).
 */
export function toProblem(error: unknown): Problem {
  if (isScpError(error)) {
    const code = error.code;
    const status = error.status >= 400 && error.status <= 599 ? error.status : errorCodes[code];
    const detail =
      status >= 500 && code === "internal" ? "The server could not complete the request." : error.message;
    return {
      ...error.extra,
      type: problemType(code),
      title: titles[code],
      status,
      detail,
      code,
    };
  }
  return {
    type: problemType("internal"),
    title: titles.internal,
    status: 500,
    detail: "The server could not complete the request.",
    code: "internal",
  };
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Turns a problem body (from the HTTP API) back into the matching `ScpError` subclass. */
export function fromProblem(body: unknown, fallbackStatus = 500): ScpError {
  const parsed = problemSchema.safeParse(body);
  if (!parsed.success) {
    return new ScpError(`Unexpected error response (HTTP ${fallbackStatus})`, {
      code: fallbackStatus === 404 ? "not_found" : "internal",
      status: fallbackStatus,
    });
  }
  const { type: _type, title, status, detail, code, ...extra } = parsed.data;
  const message = detail ?? title;
  const base = { status, extra };
  switch (code) {
    case "invalid_request":
      return new ValidationError(message, { ...base, field: str(extra.field) });
    case "unauthorized":
      return new UnauthorizedError(message, base);
    case "forbidden":
      return new ForbiddenError(message, base);
    case "not_found":
      return new NotFoundError(message, base);
    case "conflict":
      return new ConflictError(message, base);
    case "rate_limited":
      return new RateLimitedError(message, {
        ...base,
        retryAfter: typeof extra.retryAfter === "number" ? extra.retryAfter : undefined,
      });
    case "auth_required":
    case "insufficient_scope":
      return new AuthRequiredError(message, {
        ...base,
        code,
        connectUrl: str(extra.connectUrl),
        providerId: str(extra.providerId),
        missingScopes: Array.isArray(extra.missingScopes)
          ? extra.missingScopes.filter((s): s is string => typeof s === "string")
          : [],
      });
    case "reauth_required":
      return new ReauthRequiredError(message, {
        ...base,
        reason: str(extra.reason),
        connectUrl: str(extra.connectUrl),
      });
    case "provider_error":
      return new ProviderError(message, {
        ...base,
        error: str(extra.error) ?? "unknown",
        errorDescription: str(extra.errorDescription),
      });
    case "upstream_error":
      return new UpstreamError(message, {
        ...base,
        upstreamStatus: typeof extra.upstreamStatus === "number" ? extra.upstreamStatus : status,
        body: extra.upstream,
      });
    case "payload_too_large":
      return new PayloadTooLargeError(message, base);
    case "unsupported_media_type":
      return new UnsupportedMediaTypeError(message, base);
    default:
      return new ScpError(message, { ...base, code });
  }
}
