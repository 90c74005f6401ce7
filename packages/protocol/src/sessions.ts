import { z } from "zod";
import { agentIdSchema, providerIdSchema, scopesSchema, timestampSchema, userIdSchema } from "./common";
import { clientIdSchema, connectionIdSchema, sessionIdSchema } from "./ids";

export const SESSION_TTL_MIN_SECONDS = 60;
export const SESSION_TTL_MAX_SECONDS = 86_400;
export const SESSION_TTL_DEFAULT_SECONDS = 3_600;
/** A session's total lifetime is capped at 24 h from creation, extensions included. */
export const SESSION_MAX_LIFETIME_MS = 24 * 60 * 60 * 1000;

const ttlSecondsSchema = z.number().int().min(SESSION_TTL_MIN_SECONDS).max(SESSION_TTL_MAX_SECONDS);

/** `POST /v1/sessions` body. */
export const createSessionBodySchema = z.strictObject({
  userId: userIdSchema,
  agentId: agentIdSchema.optional(),
  connectionIds: z.array(connectionIdSchema).max(50).optional(),
  providerIds: z.array(providerIdSchema).max(50).optional(),
  scopes: scopesSchema.optional(),
  ttlSeconds: ttlSecondsSchema.default(SESSION_TTL_DEFAULT_SECONDS),
  allowTokenAccess: z.boolean().optional(),
});
export type CreateSessionBody = z.input<typeof createSessionBodySchema>;

/** A session as the API shows it (never its token). */
export const sessionSchema = z.object({
  id: sessionIdSchema,
  userId: userIdSchema,
  agentId: z.string().nullable(),
  clientId: clientIdSchema.nullable(),
  connectionIds: z.array(connectionIdSchema),
  scopes: z.array(z.string()),
  allowTokenAccess: z.boolean(),
  createdAt: timestampSchema,
  expiresAt: timestampSchema,
  revokedAt: timestampSchema.optional(),
});
export type Session = z.infer<typeof sessionSchema>;

/** `POST /v1/sessions` response: the only time the session token is shown. */
export const createdSessionSchema = sessionSchema.extend({ token: z.string().startsWith("scp_st_") });
export type CreatedSession = z.infer<typeof createdSessionSchema>;

/** `POST /v1/sessions/:id/extend` body. */
export const extendSessionBodySchema = z.strictObject({ ttlSeconds: ttlSecondsSchema });
export type ExtendSessionBody = z.infer<typeof extendSessionBodySchema>;

/** `GET /v1/sessions` query. */
export const sessionFilterSchema = z.strictObject({
  userId: userIdSchema.optional(),
  agentId: agentIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(512).optional(),
});
export type SessionFilter = z.infer<typeof sessionFilterSchema>;
