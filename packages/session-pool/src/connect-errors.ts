import type { ConnectRequest, ErrorCode } from "@securecontext/protocol";
import { ScpError } from "@securecontext/protocol";

/**
 * Why a consent callback (or `begin`) failed. Each has a page the server can render:
 * - `missing_state`, `invalid_state` (unknown, replayed or expired state), `browser_mismatch`: the
 *   callback did not come from the browser that started the flow; nothing about the request changed
 *   (except that the state is spent).
 * - `request_not_found`, `request_not_pending`, `request_expired`: the connect request cannot finish.
 * - `access_denied` or another provider `error` parameter, `exchange_failed`, `identity_failed`,
 *   `store_failed`: the request is now `failed` with this code.
 */
export type ConnectFailureReason =
  | "missing_state"
  | "invalid_state"
  | "browser_mismatch"
  | "request_not_found"
  | "request_not_pending"
  | "request_expired"
  | "access_denied"
  | "provider_denied"
  | "exchange_failed"
  | "identity_failed"
  | "store_failed";

const codeOf: Record<ConnectFailureReason, ErrorCode> = {
  missing_state: "invalid_request",
  invalid_state: "invalid_request",
  browser_mismatch: "forbidden",
  request_not_found: "not_found",
  request_not_pending: "conflict",
  request_expired: "conflict",
  access_denied: "forbidden",
  provider_denied: "provider_error",
  exchange_failed: "provider_error",
  identity_failed: "provider_error",
  store_failed: "internal",
};

/**
 * A connect flow step failed. `reason` picks the page; `connectRequest` (when known) carries the
 * request as it now stands, including `redirectUrl` for the 303 back to the client with
 * `status=failed&error=<connectRequest.error>`. Messages never contain codes, tokens or verifiers.
 */
export class ConnectFlowError extends ScpError {
  readonly reason: ConnectFailureReason;
  readonly connectRequest: ConnectRequest | undefined;
  constructor(
    reason: ConnectFailureReason,
    message: string,
    options: { connectRequest?: ConnectRequest; cause?: unknown; providerError?: string } = {},
  ) {
    super(message, {
      code: codeOf[reason],
      ...(options.cause !== undefined ? { cause: options.cause } : {}),
      extra: {
        reason,
        ...(options.connectRequest ? { connectRequestId: options.connectRequest.id } : {}),
        ...(options.providerError ? { providerError: options.providerError } : {}),
      },
    });
    this.reason = reason;
    this.connectRequest = options.connectRequest;
  }
}
