import type { StoreBackend } from "@securecontext/token-store";
import type { Logger } from "pino";
import { createAuditLog } from "./audit";
import type { AuditLogService, MetricsLike, RateLimiterLike, WebhookServiceLike } from "./http/services";
import { createRateLimiter } from "./rate-limit";

/** The cross-cutting services of one server instance. */
export interface ServerServices {
  audit: AuditLogService;
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
  logger: Logger;
  rateLimitPerMinute: number;
}): ServerServices {
  const { backend, logger } = options;
  return {
    audit: createAuditLog({ records: backend.records, locks: backend.locks }),
    webhooks: pendingWebhooks(logger),
    rateLimiter:
      options.rateLimitPerMinute > 0
        ? createRateLimiter({ counters: backend.counters, limitPerMinute: options.rateLimitPerMinute })
        : undefined,
    metrics: pendingMetrics(),
  };
}

// TEMPORARY until src/webhooks and src/metrics land.
function pendingWebhooks(_logger: Logger): WebhookServiceLike {
  return {
    async create() {
      throw new Error("webhooks not wired yet");
    },
    async list() {
      return { items: [], nextCursor: null };
    },
    async delete() {
      return false;
    },
    async emit() {},
    start() {},
    async close() {},
  };
}

function pendingMetrics(): MetricsLike {
  return { observeRequest() {}, refresh() {}, setActiveSessions() {}, render: () => "" };
}
