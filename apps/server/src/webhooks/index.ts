/**
 * Webhooks: subscriptions, signed deliveries from a persisted outbox with retries, and the
 * signature helpers receivers use.
 *
 * @example
 * ```ts
 * import { memoryBackend } from "@securecontext/token-store";
 * import { createLogger } from "./logging";
 * import { createWebhookService, verifyWebhookSignature } from "./webhooks";
 *
 * const { records, locks } = memoryBackend();
 * const webhooks = createWebhookService({ records, locks, logger: createLogger() });
 * webhooks.start();
 * const { secret } = await webhooks.create({ url: "http://127.0.0.1:8080/hooks", events: ["connection.created"] });
 * await webhooks.emit("connection.created", { connectionId: "con_…" });
 * // receiver side:
 * verifyWebhookSignature(rawBody, request.headers["scp-signature"], secret); // true
 * await webhooks.close();
 * ```
 *
 * @module
 */
export { DEFAULT_RETRY_POLICY, parseRetryAfter, type RetryPolicy, retryDelayMs } from "./backoff";
export {
  createWebhookService,
  type WebhookLogger,
  type WebhookService,
  type WebhookServiceOptions,
} from "./service";
export { signWebhook, type VerifyWebhookOptions, verifyWebhookSignature } from "./signature";
