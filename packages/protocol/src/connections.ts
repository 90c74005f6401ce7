import { z } from "zod";
import {
  agentIdSchema,
  httpUrlSchema,
  providerIdSchema,
  scopesSchema,
  timestampSchema,
  userIdSchema,
} from "./common";
import { clientIdSchema, connectionIdSchema, connectRequestIdSchema } from "./ids";

export const connectionStatusSchema = z.enum(["active", "needs_reauth", "revoked"]);
export type ConnectionStatus = z.infer<typeof connectionStatusSchema>;

/** Machine codes for why a connection needs the person (SPEC §4). */
export const statusReasonCodeSchema = z.enum([
  "refresh_token_expired",
  "refresh_token_revoked",
  "consent_required",
  "password_changed",
  "invalid_client",
  "unknown",
]);
export type StatusReasonCode = z.infer<typeof statusReasonCodeSchema>;

export const statusReasonSchema = z.object({
  code: statusReasonCodeSchema,
  /** What the person can do about it, in plain language. */
  hint: z.string(),
  at: timestampSchema.optional(),
});
export type StatusReason = z.infer<typeof statusReasonSchema>;

/** The provider account behind a connection. */
export const accountSchema = z.object({
  subject: z.string().min(1),
  email: z.string().optional(),
  name: z.string().optional(),
  /** Microsoft tenant id (`tid`), when the provider has one. */
  tenantId: z.string().optional(),
});
export type Account = z.infer<typeof accountSchema>;

/** A connection as the API shows it: never a token. */
export const connectionSchema = z.object({
  id: connectionIdSchema,
  userId: userIdSchema,
  providerId: providerIdSchema,
  clientId: clientIdSchema.nullable(),
  account: accountSchema,
  scopes: z.array(z.string()),
  status: connectionStatusSchema,
  statusReason: statusReasonSchema.optional(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  lastRefreshedAt: timestampSchema.optional(),
  accessTokenExpiresAt: timestampSchema.optional(),
});
export type Connection = z.infer<typeof connectionSchema>;

/** `GET /v1/connections` query. */
export const connectionFilterSchema = z.strictObject({
  userId: userIdSchema.optional(),
  providerId: providerIdSchema.optional(),
  status: connectionStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(512).optional(),
});
export type ConnectionFilter = z.infer<typeof connectionFilterSchema>;

/**
 * A provider token set as SCP stores it (encrypted at rest). Internal: never on the wire except
 * the access token through the token endpoint. Times are epoch milliseconds.
 */
export const tokenSetSchema = z.object({
  accessToken: z.string().min(1),
  tokenType: z.string().default("Bearer"),
  refreshToken: z.string().min(1).optional(),
  idToken: z.string().optional(),
  /** Epoch ms when the access token expires; absent when the provider did not say. */
  expiresAt: z.number().int().optional(),
  scopes: z.array(z.string()),
  /** Epoch ms when this set was obtained. */
  obtainedAt: z.number().int(),
});
export type TokenSet = z.infer<typeof tokenSetSchema>;

/** `POST /v1/connections/:id/token` body. */
export const tokenRequestBodySchema = z.strictObject({ forceRefresh: z.boolean().optional() });
export type TokenRequestBody = z.infer<typeof tokenRequestBodySchema>;

/** `POST /v1/connections/:id/token` response. */
export const accessTokenResponseSchema = z.object({
  accessToken: z.string(),
  tokenType: z.string(),
  expiresAt: timestampSchema.nullable(),
  scopes: z.array(z.string()),
});
export type AccessTokenResponse = z.infer<typeof accessTokenResponseSchema>;

export const connectRequestStatusSchema = z.enum(["pending", "completed", "failed", "expired"]);
export type ConnectRequestStatus = z.infer<typeof connectRequestStatusSchema>;

/** `POST /v1/connect-requests` body. */
export const createConnectRequestBodySchema = z.strictObject({
  userId: userIdSchema,
  providerId: providerIdSchema,
  scopes: scopesSchema.optional(),
  redirectUrl: httpUrlSchema.optional(),
  agentId: agentIdSchema.optional(),
});
export type CreateConnectRequestBody = z.infer<typeof createConnectRequestBodySchema>;

/** A connect request as the API shows it. */
export const connectRequestSchema = z.object({
  id: connectRequestIdSchema,
  status: connectRequestStatusSchema,
  url: httpUrlSchema,
  userId: userIdSchema,
  providerId: providerIdSchema,
  scopes: z.array(z.string()),
  agentId: z.string().optional(),
  redirectUrl: z.string().optional(),
  expiresAt: timestampSchema,
  createdAt: timestampSchema,
  connectionId: connectionIdSchema.optional(),
  /** OAuth error code when failed (`access_denied`, `invalid_state`, …). */
  error: z.string().optional(),
});
export type ConnectRequest = z.infer<typeof connectRequestSchema>;

/** `POST /v1/connect-requests` response. */
export const createdConnectRequestSchema = connectRequestSchema.pick({
  id: true,
  url: true,
  status: true,
  expiresAt: true,
});
export type CreatedConnectRequest = z.infer<typeof createdConnectRequestSchema>;

/** Connect requests expire after 10 minutes (SPEC §3). */
export const CONNECT_REQUEST_TTL_MS = 10 * 60 * 1000;
