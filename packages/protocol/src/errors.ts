/**
 * One error family for every layer of SecureContext. Libraries throw these; only the server maps
 * them to HTTP (`toProblem`), and the SDK maps problem+json bodies back (`fromProblem`).
 */

/** Every stable error code of SPEC §3, declared once, with its HTTP status. */
export const errorCodes = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  auth_required: 403,
  insufficient_scope: 403,
  reauth_required: 409,
  provider_error: 502,
  upstream_error: 502,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** Extra problem+json members an error may carry (for example `connectUrl`, `field`). */
export type ProblemExtras = Record<string, unknown>;

export interface ScpErrorOptions {
  cause?: unknown;
  /** HTTP status override; defaults to the code's status. */
  status?: number;
  /** Extra members for the problem+json body. Never put secrets here. */
  extra?: ProblemExtras;
}

/** Base class. `code` is stable and machine-readable; `message` is for humans. */
export class ScpError extends Error {
  static readonly code: ErrorCode = "internal";
  readonly code: ErrorCode;
  readonly status: number;
  readonly extra: ProblemExtras;

  constructor(message: string, options: ScpErrorOptions & { code?: ErrorCode } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const code = options.code ?? (this.constructor as typeof ScpError).code;
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? errorCodes[code];
    this.extra = options.extra ?? {};
  }
}

/** Input failed validation. `field` names the offending path (for example `body.scopes[0]`). */
export class ValidationError extends ScpError {
  static override readonly code = "invalid_request" as const;
  readonly field: string | undefined;
  constructor(message: string, options: ScpErrorOptions & { field?: string } = {}) {
    super(message, {
      ...options,
      extra: { ...(options.field ? { field: options.field } : {}), ...options.extra },
    });
    this.field = options.field;
  }
}

export class UnauthorizedError extends ScpError {
  static override readonly code = "unauthorized" as const;
}

export class ForbiddenError extends ScpError {
  static override readonly code = "forbidden" as const;
}

export class NotFoundError extends ScpError {
  static override readonly code = "not_found" as const;
}

export class ConflictError extends ScpError {
  static override readonly code = "conflict" as const;
}

export class PayloadTooLargeError extends ScpError {
  static override readonly code = "payload_too_large" as const;
}

export class UnsupportedMediaTypeError extends ScpError {
  static override readonly code = "unsupported_media_type" as const;
}

/** Too many requests. `retryAfter` is in seconds. */
export class RateLimitedError extends ScpError {
  static override readonly code = "rate_limited" as const;
  readonly retryAfter: number | undefined;
  constructor(message: string, options: ScpErrorOptions & { retryAfter?: number } = {}) {
    super(message, {
      ...options,
      extra: {
        ...(options.retryAfter !== undefined ? { retryAfter: options.retryAfter } : {}),
        ...options.extra,
      },
    });
    this.retryAfter = options.retryAfter;
  }
}

/**
 * The user has no connection for a provider (`auth_required`) or it lacks scopes
 * (`insufficient_scope`). `connectUrl` is where the person grants exactly what is missing.
 */
export class AuthRequiredError extends ScpError {
  static override readonly code: ErrorCode = "auth_required";
  readonly connectUrl: string | undefined;
  readonly providerId: string | undefined;
  readonly missingScopes: string[];
  constructor(
    message: string,
    options: ScpErrorOptions & {
      code?: "auth_required" | "insufficient_scope";
      connectUrl?: string;
      providerId?: string;
      missingScopes?: string[];
    } = {},
  ) {
    super(message, {
      ...options,
      extra: {
        ...(options.connectUrl ? { connectUrl: options.connectUrl } : {}),
        ...(options.providerId ? { providerId: options.providerId } : {}),
        ...(options.missingScopes?.length ? { missingScopes: options.missingScopes } : {}),
        ...options.extra,
      },
    });
    this.connectUrl = options.connectUrl;
    this.providerId = options.providerId;
    this.missingScopes = options.missingScopes ?? [];
  }
}

/** The connection needs the person to reconnect (`needs_reauth`). */
export class ReauthRequiredError extends ScpError {
  static override readonly code = "reauth_required" as const;
  readonly reason: string | undefined;
  constructor(message: string, options: ScpErrorOptions & { reason?: string; connectUrl?: string } = {}) {
    super(message, {
      ...options,
      extra: {
        ...(options.reason ? { reason: options.reason } : {}),
        ...(options.connectUrl ? { connectUrl: options.connectUrl } : {}),
        ...options.extra,
      },
    });
    this.reason = options.reason;
  }
}

/** The network or the process failed below the HTTP layer (DNS, reset, timeout). Transient. */
export class TransportError extends ScpError {
  static override readonly code = "upstream_error" as const;
}

/**
 * An OAuth authorization server answered with an RFC 6749 error (`invalid_grant`, …).
 * `error` / `errorDescription` are the provider's fields; never a token.
 */
export class ProviderError extends ScpError {
  static override readonly code = "provider_error" as const;
  readonly error: string;
  readonly errorDescription: string | undefined;
  readonly errorUri: string | undefined;
  /** HTTP status the provider answered with, when there was a response. */
  readonly providerStatus: number | undefined;
  constructor(
    message: string,
    options: ScpErrorOptions & {
      error: string;
      errorDescription?: string;
      errorUri?: string;
      providerStatus?: number;
    },
  ) {
    super(message, {
      ...options,
      extra: {
        error: options.error,
        ...(options.errorDescription ? { errorDescription: options.errorDescription } : {}),
        ...options.extra,
      },
    });
    this.error = options.error;
    this.errorDescription = options.errorDescription;
    this.errorUri = options.errorUri;
    this.providerStatus = options.providerStatus;
  }
}

/** A provider resource API (Gmail, Graph, …) answered with a non-success status. */
export class UpstreamError extends ScpError {
  static override readonly code = "upstream_error" as const;
  readonly upstreamStatus: number;
  readonly body: unknown;
  readonly retryAfter: number | undefined;
  constructor(
    message: string,
    options: ScpErrorOptions & { upstreamStatus: number; body?: unknown; retryAfter?: number },
  ) {
    super(message, {
      ...options,
      extra: {
        upstreamStatus: options.upstreamStatus,
        ...(options.body !== undefined ? { upstream: options.body } : {}),
        ...options.extra,
      },
    });
    this.upstreamStatus = options.upstreamStatus;
    this.body = options.body;
    this.retryAfter = options.retryAfter;
  }
}

/** A response did not have the shape the protocol or provider promised. */
export class UnexpectedResponseError extends ScpError {
  static override readonly code = "upstream_error" as const;
}

/** The store (Redis, file, …) failed or is unreachable. */
export class StoreError extends ScpError {
  static override readonly code = "internal" as const;
  constructor(message: string, options: ScpErrorOptions = {}) {
    super(message, { status: 503, ...options });
  }
}

/** Configuration is missing or invalid; `field` names the variable or JSON path. */
export class ConfigError extends ScpError {
  static override readonly code = "internal" as const;
  readonly field: string | undefined;
  constructor(message: string, options: ScpErrorOptions & { field?: string } = {}) {
    super(message, options);
    this.field = options.field;
  }
}

/** Ciphertext could not be decrypted or authenticated (tampered, foreign key, unknown kid). */
export class DecryptionError extends ScpError {
  static override readonly code = "internal" as const;
}

/** True for any error of this family, across package copies (checks the shape, not the prototype). */
export function isScpError(error: unknown): error is ScpError {
  return (
    error instanceof ScpError ||
    (typeof error === "object" &&
      error !== null &&
      typeof (error as { code?: unknown }).code === "string" &&
      (error as { code: string }).code in errorCodes &&
      typeof (error as { status?: unknown }).status === "number")
  );
}
