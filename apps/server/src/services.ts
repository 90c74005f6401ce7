import { type AuditLog, createAuditLog } from "@securecontext/session-pool";
import { encryptedStore, type KeyRing, type StoreBackend } from "@securecontext/token-store";
import type { Logger } from "pino";
import type { MetricsLike, RateLimiterLike, WebhookServiceLike } from "./http/services";
import { createMetrics } from "./metrics";
import { createRateLimiter } from "./rate-limit";
import { createWebhookService } from "./webhooks";

/**
 * Webhook subscriptions hold their signing secret (it must be usable to sign), so they are stored
 * encrypted under the key ring like token sets; `keys rotate` re-encrypts them too.
 */
export const WEBHOOK_KEY_PREFIX = "webhooks:";
export const isWebhookSecretKey = (key: string): boolean => key.startsWith(`${WEBHOOK_KEY_PREFIX}sub:`);

/** The cross-cutting services of one server instance. */
export interface ServerServices {
  audit: AuditLog;
  webhooks: WebhookServiceLike;
  rateLimiter: RateLimiterLike | undefined;
  metrics: MetricsLike;
}

/**
 * The one place the server wires audit, webhooks, rate limits and metrics (src/audit, src/webhooks,
 * src/rate-limit, src/metrics) onto a store backend.
 */
export function createServerServices(options: {
  backend: StoreBackend;
  keyRing: KeyRing;
  logger: Logger;
  rateLimitPerMinute: number;
  /** Test hook: webhook delivery HTTP client and retry policy. */
  webhookFetch?: typeof fetch;
}): ServerServices {
  const { backend, logger } = options;
  return {
    audit: createAuditLog({
      records: backend.records,
      locks: backend.locks,
      onRecordError: (error, event) =>
        logger.error(
          { requestId: event.tag, type: event.type, err: (error as Error).message },
          "audit append failed",
        ),
    }),
    webhooks: createWebhookService({
      records: encryptedStore({
        store: backend.records,
        keyRing: options.keyRing,
        isSecret: isWebhookSecretKey,
      }),
      prefix: WEBHOOK_KEY_PREFIX,
      locks: backend.locks,
      logger: logger.child({ component: "webhooks" }),
      ...(options.webhookFetch ? { fetch: options.webhookFetch } : {}),
    }),
    rateLimiter:
      options.rateLimitPerMinute > 0
        ? createRateLimiter({ counters: backend.counters, limitPerMinute: options.rateLimitPerMinute })
        : undefined,
    metrics: createMetrics(),
  };
}
