import type { Server } from "node:http";
import type { Http2SecureServer, Http2Server } from "node:http2";
import type { Logger } from "pino";

export interface ShutdownOptions {
  server: Server | Http2Server | Http2SecureServer;
  logger: Logger;
  inflight: { count: number };
  /** Closes pool, webhooks, demo IdPs and the store (in reverse order of opening). */
  cleanup: () => Promise<void>;
  /** How long in-flight requests may take before connections are cut (default 10 000 ms). */
  graceMs?: number;
}

/**
 * Graceful shutdown: stop accepting, let in-flight requests finish (bounded by `graceMs`), then
 * close everything else. Idempotent: every call returns the same promise.
 */
export function createShutdown(options: ShutdownOptions): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= (async () => {
      const { server, logger } = options;
      const graceMs = options.graceMs ?? 10_000;
      logger.info({ inflight: options.inflight.count }, "shutting down");
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const http = server as Server;
      http.closeIdleConnections?.();
      // Idle keep-alive sockets are closed as their requests end.
      const idleTimer = setInterval(() => http.closeIdleConnections?.(), 100);
      const timer = setTimeout(() => {
        logger.warn({ inflight: options.inflight.count }, "grace period over; closing remaining connections");
        http.closeAllConnections?.();
      }, graceMs);
      try {
        await closed;
      } finally {
        clearTimeout(timer);
        clearInterval(idleTimer);
      }
      await options.cleanup();
      logger.info("shut down");
    })();
    return closing;
  };
}

/** Calls `close` once on SIGTERM / SIGINT, then exits (code 0, or 1 when closing failed). */
export function installSignalHandlers(close: () => Promise<void>, logger: Logger): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, "signal received");
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: (error as Error).message }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
