import { CONNECT_REQUEST_TTL_MS, type Connection } from "@securecontext/protocol";
import { abortReason, anySignal } from "./abort";
import { ConnectRequestError } from "./errors";
import type { RequestOptions } from "./options";
import type { ConnectionsApi, ConnectRequestsApi } from "./resources/connections";
import type { Transport } from "./transport";

/** Options of {@link waitForConnection}. */
export interface WaitForConnectionOptions {
  signal?: AbortSignal;
  /** Give up after this many ms (`ConnectRequestError` with outcome `timeout`). Default 10 minutes. */
  timeoutMs?: number;
  /** Poll interval in ms. Default 1000. */
  intervalMs?: number;
}

/**
 * Polls a connect request until the person finishes: resolves with the new connection, or throws
 * `ConnectRequestError` (outcome `failed` with the OAuth `error`, `expired`, or `timeout`).
 */
export async function waitForConnection(
  deps: { transport: Transport; connectRequests: ConnectRequestsApi; connections: ConnectionsApi },
  connectRequestId: string,
  options: WaitForConnectionOptions = {},
): Promise<Connection> {
  const { clock } = deps.transport;
  const timeoutMs = options.timeoutMs ?? CONNECT_REQUEST_TTL_MS;
  const intervalMs = Math.max(50, options.intervalMs ?? 1000);
  const deadline = clock.now() + timeoutMs;
  const stop = new AbortController();
  const signal = anySignal([options.signal, stop.signal]);
  const requestOptions: RequestOptions = { signal };
  try {
    while (true) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      const request = await deps.connectRequests.get(connectRequestId, requestOptions);
      switch (request.status) {
        case "completed": {
          if (!request.connectionId) {
            throw new ConnectRequestError(
              `Connect request ${connectRequestId} completed without a connection id`,
              {
                connectRequestId,
                outcome: "failed",
              },
            );
          }
          return await deps.connections.get(request.connectionId, requestOptions);
        }
        case "failed":
          throw new ConnectRequestError(
            `Connect request ${connectRequestId} failed${request.error ? `: ${request.error}` : ""}`,
            { connectRequestId, outcome: "failed", error: request.error },
          );
        case "expired":
          throw new ConnectRequestError(
            `Connect request ${connectRequestId} expired before the person finished`,
            {
              connectRequestId,
              outcome: "expired",
            },
          );
        default:
          break;
      }
      const remaining = deadline - clock.now();
      if (remaining <= 0) {
        throw new ConnectRequestError(
          `Gave up waiting for connect request ${connectRequestId} after ${timeoutMs} ms`,
          {
            connectRequestId,
            outcome: "timeout",
          },
        );
      }
      await clock.sleep(Math.min(intervalMs, remaining), signal);
    }
  } finally {
    stop.abort();
  }
}
