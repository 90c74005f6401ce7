import { z } from "zod";
import { httpUrlSchema, timestampSchema } from "./common";
import { webhookIdSchema } from "./ids";

/** Webhook event types of SPEC §3. */
export const webhookEventTypes = [
  "connection.created",
  "connection.refresh_failed",
  "connection.needs_reauth",
  "connection.recovered",
  "connection.revoked",
  "connect_request.failed",
  "workflow_run.succeeded",
  "workflow_run.failed",
] as const;
export const webhookEventTypeSchema = z.enum(webhookEventTypes);
export type WebhookEventType = z.infer<typeof webhookEventTypeSchema>;

/** `POST /v1/webhooks` body. `*` subscribes to every event type. */
export const createWebhookBodySchema = z.strictObject({
  url: httpUrlSchema,
  events: z
    .array(z.union([webhookEventTypeSchema, z.literal("*")]))
    .min(1)
    .max(webhookEventTypes.length + 1),
});
export type CreateWebhookBody = z.infer<typeof createWebhookBodySchema>;

export const webhookSchema = z.object({
  id: webhookIdSchema,
  url: z.string(),
  events: z.array(z.string()),
  createdAt: timestampSchema,
});
export type Webhook = z.infer<typeof webhookSchema>;

/** `POST /v1/webhooks` response: the only time the signing secret is shown. */
export const createdWebhookSchema = webhookSchema.extend({ secret: z.string() });
export type CreatedWebhook = z.infer<typeof createdWebhookSchema>;

/** What a receiver gets. Dedupe by `id`. */
export const webhookEventSchema = z.object({
  id: z.string(),
  type: webhookEventTypeSchema,
  createdAt: timestampSchema,
  data: z.record(z.string(), z.unknown()),
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/** Header carrying `t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`. */
export const WEBHOOK_SIGNATURE_HEADER = "SCP-Signature";
