import {
  ConfigError,
  isScpError,
  ProviderError,
  type ScpError,
  TransportError,
  UnexpectedResponseError,
} from "@securecontext/protocol";
import {
  AuthorizationResponseError,
  ClientError,
  ResponseBodyError,
  WWWAuthenticateChallengeError,
} from "openid-client";

/**
 * Specific `error` codes SCP puts on a {@link ProviderError} when the callback or the token response
 * fails a client-side check, so callers can tell the failures apart.
 */
export const callbackErrorCodes = {
  state: "invalid_state",
  nonce: "invalid_nonce",
  iss: "invalid_iss",
  callback: "invalid_callback",
  idToken: "invalid_id_token",
  pkce: "invalid_pkce",
  response: "invalid_response",
} as const;

interface CodedError {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  name?: unknown;
}

function asCoded(value: unknown): CodedError | undefined {
  return typeof value === "object" && value !== null ? (value as CodedError) : undefined;
}

/**
 * A sanitized stand-in for an openid-client error: its name, code and message only. openid-client
 * attaches response bodies (which may hold tokens) as `cause`; those never leave this module.
 */
function sanitizedCause(error: unknown): Error {
  const coded = asCoded(error);
  const inner = asCoded(coded?.cause);
  const parts = [
    String(coded?.name ?? "Error"),
    coded?.code ? `(${String(coded.code)})` : "",
    String(coded?.message ?? ""),
  ];
  if (inner && typeof inner.message === "string" && inner.message !== coded?.message) {
    parts.push(`<- ${inner.message}`);
  }
  return new Error(parts.filter(Boolean).join(" "));
}

function stringField(body: unknown, key: string): string | undefined {
  const value = asCoded(body) ? (body as Record<string, unknown>)[key] : undefined;
  return typeof value === "string" ? value : undefined;
}

function numberArrayField(body: unknown, key: string): number[] | undefined {
  const value = asCoded(body) ? (body as Record<string, unknown>)[key] : undefined;
  return Array.isArray(value) && value.every((item) => typeof item === "number") ? value : undefined;
}

function providerError(
  action: string,
  error: string,
  description: string | undefined,
  extra: { status?: number; errorUri?: string; errorCodes?: number[]; cause?: unknown } = {},
): ProviderError {
  return new ProviderError(`${action} failed: ${error}${description ? ` (${description})` : ""}`, {
    error,
    ...(description ? { errorDescription: description } : {}),
    ...(extra.errorUri ? { errorUri: extra.errorUri } : {}),
    ...(extra.status !== undefined ? { providerStatus: extra.status } : {}),
    ...(extra.errorCodes?.length ? { extra: { errorCodes: extra.errorCodes } } : {}),
    cause: extra.cause === undefined ? undefined : sanitizedCause(extra.cause),
  });
}

function statusError(action: string, status: number, cause: unknown): ProviderError {
  const error =
    status === 429 ? "temporarily_unavailable" : status >= 500 ? "server_error" : "invalid_response";
  return providerError(action, error, `the authorization server answered HTTP ${status}`, { status, cause });
}

/** Maps an openid-client `ClientError` whose code describes a failed check. */
function fromClientError(action: string, error: ClientError): ScpError {
  const code = String(error.code ?? "");
  const inner = asCoded(error.cause);
  const detail = typeof inner?.message === "string" ? inner.message : error.message;
  switch (code) {
    case "OAUTH_TIMEOUT":
      return new TransportError(`${action} failed: the authorization server did not answer in time`, {
        cause: sanitizedCause(error),
      });
    case "OAUTH_ABORT":
      return new TransportError(`${action} was aborted`, { cause: sanitizedCause(error) });
    case "OAUTH_HTTP_REQUEST_FORBIDDEN":
    case "OAUTH_REQUEST_PROTOCOL_FORBIDDEN":
      return new ConfigError(
        `${action} refused: only https:// endpoints are allowed (set allowInsecureHttp for local testing)`,
        { cause: sanitizedCause(error) },
      );
    case "OAUTH_RESPONSE_IS_NOT_CONFORM":
    case "OAUTH_RESPONSE_IS_NOT_JSON": {
      const status = error.cause instanceof Response ? error.cause.status : undefined;
      if (status !== undefined) return statusError(action, status, error);
      return providerError(action, callbackErrorCodes.response, detail, { cause: error });
    }
    case "OAUTH_JWT_CLAIM_COMPARISON_FAILED": {
      const claim = stringField(inner?.cause, "claim");
      if (claim === "nonce") {
        return providerError(
          action,
          callbackErrorCodes.nonce,
          "the ID token nonce does not match this request",
          {
            cause: error,
          },
        );
      }
      return providerError(action, callbackErrorCodes.idToken, detail, { cause: error });
    }
    case "OAUTH_JWT_TIMESTAMP_CHECK_FAILED":
      return providerError(action, callbackErrorCodes.idToken, detail, { cause: error });
    case "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED":
      return new ConfigError(`${action} failed: ${detail}`, { cause: sanitizedCause(error) });
    default: {
      if (/"iss"|issuer\) response parameter/.test(detail)) {
        return providerError(action, callbackErrorCodes.iss, detail, { cause: error });
      }
      if (/"state"/.test(detail)) {
        return providerError(action, callbackErrorCodes.state, detail, { cause: error });
      }
      if (/authorization code|"code"/.test(detail)) {
        return providerError(action, callbackErrorCodes.callback, detail, { cause: error });
      }
      if (/ID Token|id_token|JWT|JWS/i.test(detail)) {
        return providerError(action, callbackErrorCodes.idToken, detail, { cause: error });
      }
      return providerError(action, callbackErrorCodes.response, detail, { cause: error });
    }
  }
}

function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  const code = asCoded(error)?.code;
  return !(typeof code === "string" && code.startsWith("ERR_INVALID_ARG"));
}

function networkCode(error: unknown): string | undefined {
  const cause = asCoded(asCoded(error)?.cause);
  return typeof cause?.code === "string" ? cause.code : undefined;
}

/**
 * Turns anything openid-client (or fetch) throws into the SCP error family: RFC 6749 error bodies
 * become {@link ProviderError} (with `error`, `errorDescription`, `providerStatus`), network failures
 * and timeouts {@link TransportError}, failed client-side checks a {@link ProviderError} with a
 * specific code ({@link callbackErrorCodes}). Never carries a token: causes are sanitized.
 *
 * @param action - what was being done, for the message ("code exchange", "refresh", …).
 */
export function toScpError(action: string, error: unknown): ScpError {
  if (isScpError(error)) return error;
  if (error instanceof ResponseBodyError) {
    const body = error.cause;
    if (error.status >= 500 && !error.error) return statusError(action, error.status, error);
    return providerError(action, error.error, error.error_description, {
      status: error.status,
      errorUri: stringField(body, "error_uri"),
      errorCodes: numberArrayField(body, "error_codes"),
      cause: error,
    });
  }
  if (error instanceof AuthorizationResponseError) {
    return providerError(action, error.error, error.error_description, { cause: error });
  }
  if (error instanceof WWWAuthenticateChallengeError) {
    const challenge = error.cause[0];
    const code = challenge?.parameters.error ?? "invalid_token";
    return providerError(action, code, challenge?.parameters.error_description, {
      status: error.status,
      cause: error,
    });
  }
  if (error instanceof ClientError) return fromClientError(action, error);
  if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return new TransportError(
      `${action} failed: ${error.name === "TimeoutError" ? "timed out" : "aborted"}`,
      {
        cause: sanitizedCause(error),
      },
    );
  }
  if (isNetworkFailure(error)) {
    const code = networkCode(error);
    return new TransportError(`${action} failed: network error${code ? ` (${code})` : ""}`, {
      cause: sanitizedCause(error),
    });
  }
  if (error instanceof TypeError) {
    return new ConfigError(`${action} failed: ${error.message}`, { cause: sanitizedCause(error) });
  }
  return new UnexpectedResponseError(`${action} failed unexpectedly`, { cause: sanitizedCause(error) });
}
