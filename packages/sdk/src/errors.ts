import {
  ConflictError,
  ForbiddenError,
  fromProblem,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  ScpError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  UpstreamError,
  ValidationError,
} from "@securecontext/protocol";

/** How a connect request ended when it did not produce a connection. */
export type ConnectRequestOutcome = "failed" | "expired" | "timeout";

/**
 * `waitForConnection` gave up: the person denied or the flow failed (`failed`, with the OAuth
 * `error` such as `access_denied`), the request expired, or the wait timed out.
 */
export class ConnectRequestError extends ScpError {
  static override readonly code = "conflict" as const;
  readonly connectRequestId: string;
  readonly outcome: ConnectRequestOutcome;
  /** OAuth error code of a failed request (`access_denied`, `invalid_state`, …). */
  readonly error: string | undefined;
  constructor(
    message: string,
    options: { connectRequestId: string; outcome: ConnectRequestOutcome; error?: string; cause?: unknown },
  ) {
    super(message, {
      cause: options.cause,
      extra: {
        connectRequestId: options.connectRequestId,
        outcome: options.outcome,
        ...(options.error ? { error: options.error } : {}),
      },
    });
    this.connectRequestId = options.connectRequestId;
    this.outcome = options.outcome;
    this.error = options.error;
  }
}

/** Why `verifyWebhook` rejected a delivery. */
export type WebhookRejection = "malformed_header" | "stale_timestamp" | "bad_signature" | "invalid_body";

/** A webhook delivery failed verification; answer it with 400/401 and do not act on it. */
export class WebhookVerificationError extends ScpError {
  static override readonly code = "unauthorized" as const;
  readonly reason: WebhookRejection;
  constructor(message: string, options: { reason: WebhookRejection; cause?: unknown }) {
    super(message, { cause: options.cause, extra: { reason: options.reason } });
    this.reason = options.reason;
  }
}

/** Error classes by status for responses that carry no problem body. */
function errorForStatus(status: number, message: string): ScpError {
  switch (status) {
    case 400:
      return new ValidationError(message, { status });
    case 401:
      return new UnauthorizedError(message, { status });
    case 403:
      return new ForbiddenError(message, { status });
    case 404:
      return new NotFoundError(message, { status });
    case 409:
      return new ConflictError(message, { status });
    case 413:
      return new PayloadTooLargeError(message, { status });
    case 415:
      return new UnsupportedMediaTypeError(message, { status });
    case 429:
      return new RateLimitedError(message, { status });
    default:
      if (status >= 500) return new UpstreamError(message, { status, upstreamStatus: status });
      return new ScpError(message, { status, code: status >= 500 ? "internal" : "invalid_request" });
  }
}

/**
 * Turns an error response into the matching `ScpError` subclass: problem+json (or JSON carrying a
 * problem) through `fromProblem`; anything else into an error naming the status and content type
 * (never the body, which might echo a secret). `retryAfterMs` fills `RateLimitedError.retryAfter`
 * when the body did not.
 */
export async function errorFromResponse(
  response: Response,
  context: { method: string; path: string; retryAfterMs?: number },
): Promise<ScpError> {
  const contentType = response.headers.get("content-type") ?? "";
  let body: unknown;
  let parsedJson = false;
  if (/json/i.test(contentType)) {
    try {
      body = await response.json();
      parsedJson = true;
    } catch {
      parsedJson = false;
    }
  } else {
    await response.body?.cancel().catch(() => {});
  }
  const where = `${context.method} ${context.path}`;
  let error: ScpError;
  if (parsedJson && body && typeof body === "object" && "code" in body && "status" in body) {
    error = fromProblem(body, response.status);
  } else {
    const kind = contentType ? contentType.split(";")[0] : "no content type";
    error = errorForStatus(
      response.status,
      `${where} failed with HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""} (${kind} body, not a problem document)`,
    );
  }
  if (
    error instanceof RateLimitedError &&
    error.retryAfter === undefined &&
    context.retryAfterMs !== undefined
  ) {
    return new RateLimitedError(error.message, {
      status: error.status,
      extra: error.extra,
      retryAfter: Math.ceil(context.retryAfterMs / 1000),
    });
  }
  return error;
}
