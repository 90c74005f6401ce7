import { randomUUID } from "node:crypto";
import type { ApiFamily, ApiResult } from "./types";

/** Provider-shaped error bodies for the fake APIs. */
export function apiError(
  family: ApiFamily,
  status: 400 | 401 | 403 | 404 | 429 | 500,
  message: string,
): ApiResult {
  if (family === "google") {
    const statuses = {
      400: "INVALID_ARGUMENT",
      401: "UNAUTHENTICATED",
      403: "PERMISSION_DENIED",
      404: "NOT_FOUND",
      429: "RESOURCE_EXHAUSTED",
      500: "INTERNAL",
    } as const;
    return {
      status,
      body: {
        error: {
          code: status,
          message,
          errors: [{ message, domain: "global", reason: statuses[status].toLowerCase() }],
          status: statuses[status],
        },
      },
    };
  }
  const codes = {
    400: "BadRequest",
    401: "InvalidAuthenticationToken",
    403: "ErrorAccessDenied",
    404: "ErrorItemNotFound",
    429: "TooManyRequests",
    500: "InternalServerError",
  } as const;
  return {
    status,
    body: {
      error: {
        code: codes[status],
        message,
        innerError: {
          date: new Date().toISOString(),
          "request-id": randomUUID(),
          "client-request-id": randomUUID(),
        },
      },
    },
  };
}
