import { z } from "zod";
import { timestampSchema, userIdSchema } from "./common";

export const auditOutcomeSchema = z.enum(["success", "failure", "denied"]);

/** Who did it: `admin`, `client:cli_…`, `session:ses_…`, `user` (browser), `system`. */
export const auditActorSchema = z.string().min(1).max(128);

/** One audit event; `hash` chains it to the previous one (`prevHash`). */
export const auditEventSchema = z.object({
  id: z.string(),
  at: timestampSchema,
  type: z.string(),
  actor: auditActorSchema,
  clientId: z.string().optional(),
  userId: z.string().optional(),
  connectionId: z.string().optional(),
  sessionId: z.string().optional(),
  action: z.string().optional(),
  outcome: auditOutcomeSchema,
  ip: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

/** `GET /v1/audit-events` query. */
export const auditFilterSchema = z.strictObject({
  userId: userIdSchema.optional(),
  connectionId: z.string().max(80).optional(),
  type: z.string().max(128).optional(),
  since: timestampSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(512).optional(),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

/** `GET /v1/audit-events/verify` response. */
export const auditVerificationSchema = z.object({
  valid: z.boolean(),
  count: z.number().int().min(0),
  firstBrokenId: z.string().optional(),
});
export type AuditVerification = z.infer<typeof auditVerificationSchema>;
