import type { ConnectRequest, ErrorCode } from "@securecontext/protocol";
import { ScpError } from "@securecontext/protocol";

/**
 * Why a connect flow step was refused before anything about the request could change. Each has a
 * page the server can render:
 * - `missing_state`, `invalid_state` (unknown, replayed or expired state), `browser_mismatch` (the
 *   callback did not come from the browser that began the flow; the state is spent, the request
 *   stays pending so the person can start again);
 * - `request_not_found`, `request_not_pending`, `request_expired`.
 *
 * Failures that belong to a live request (the person denied access, the provider answered with an
 * error, the code exchange or identity lookup failed, the connection could not be stored) do not
 * throw: `complete` returns the request marked `failed` with an OAuth-style `error` code.
 */
export type ConnectFailureReason =
  | "missing_state"
  | "invalid_state"
  | "browser_mismatch"
  | "request_not_found"
  | "request_not_pending"
  | "request_expired";

const codeOf: Record<ConnectFailureReason, ErrorCode> = {
  missing_state: "invalid_request",
  invalid_state: "invalid_request",
  browser_mismatch: "forbidden",
  request_not_found: "not_found",
  request_not_pending: "conflict",
  request_expired: "conflict",
};

/**
 * A connect flow step failed. `reason` picks the page; `connectRequest` (when known) carries the
 * request as it now stands (for example its `redirectUrl`). Messages are safe to show the person
 * and never contain codes, tokens or verifiers.
 */
export class ConnectFlowError extends ScpError {
  readonly reason: ConnectFailureReason;
  readonly connectRequest: ConnectRequest | undefined;
  constructor(
    reason: ConnectFailureReason,
    message: string,
    options: { connectRequest?: ConnectRequest; cause?: unknown } = {},
  ) {
    super(message, {
      code: codeOf[reason],
      ...(options.cause !== undefined ? { cause: options.cause } : {}),
      extra: {
        reason,
        ...(options.connectRequest ? { connectRequestId: options.connectRequest.id } : {}),
      },
    });
    this.reason = reason;
    this.connectRequest = options.connectRequest;
  }
}
