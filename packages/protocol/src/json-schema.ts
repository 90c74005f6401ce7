import { z } from "zod";
import { actionCallBodySchema, actionDescriptorSchema, actionResultSchema } from "./actions";
import { auditEventSchema, auditVerificationSchema } from "./audit";
import { clientSchema, createClientBodySchema, createdClientSchema } from "./clients";
import {
  accessTokenResponseSchema,
  connectionSchema,
  connectRequestSchema,
  createConnectRequestBodySchema,
  createdConnectRequestSchema,
  tokenRequestBodySchema,
} from "./connections";
import { discoveryDocumentSchema } from "./discovery";
import { agentListingSchema, agentManifestSchema, installAgentBodySchema } from "./marketplace";
import { problemSchema } from "./problem";
import {
  createdSessionSchema,
  createSessionBodySchema,
  extendSessionBodySchema,
  sessionSchema,
} from "./sessions";
import { createdWebhookSchema, createWebhookBodySchema, webhookEventSchema, webhookSchema } from "./webhooks";
import { createWorkflowRunBodySchema, workflowRunSchema, workflowTemplateSchema } from "./workflows";

/** Every named wire schema, for OpenAPI components. */
export const wireSchemas = {
  Problem: problemSchema,
  Discovery: discoveryDocumentSchema,
  CreateClientBody: createClientBodySchema,
  Client: clientSchema,
  CreatedClient: createdClientSchema,
  CreateConnectRequestBody: createConnectRequestBodySchema,
  ConnectRequest: connectRequestSchema,
  CreatedConnectRequest: createdConnectRequestSchema,
  Connection: connectionSchema,
  TokenRequestBody: tokenRequestBodySchema,
  AccessTokenResponse: accessTokenResponseSchema,
  CreateSessionBody: createSessionBodySchema,
  Session: sessionSchema,
  CreatedSession: createdSessionSchema,
  ExtendSessionBody: extendSessionBodySchema,
  ActionDescriptor: actionDescriptorSchema,
  ActionCallBody: actionCallBodySchema,
  ActionResult: actionResultSchema,
  WorkflowTemplate: workflowTemplateSchema,
  CreateWorkflowRunBody: createWorkflowRunBodySchema,
  WorkflowRun: workflowRunSchema,
  AgentManifest: agentManifestSchema,
  AgentListing: agentListingSchema,
  InstallAgentBody: installAgentBodySchema,
  CreateWebhookBody: createWebhookBodySchema,
  Webhook: webhookSchema,
  CreatedWebhook: createdWebhookSchema,
  WebhookEvent: webhookEventSchema,
  AuditEvent: auditEventSchema,
  AuditVerification: auditVerificationSchema,
} as const;

export type WireSchemaName = keyof typeof wireSchemas;

/** JSON Schema (draft 2020-12) of one wire object, via zod's own conversion. */
export function toJsonSchema(schema: z.ZodType, io: "input" | "output" = "output"): Record<string, unknown> {
  return z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as Record<
    string,
    unknown
  >;
}

/** JSON Schemas of every wire object by name, for the OpenAPI document. */
export function wireJsonSchemas(): Record<WireSchemaName, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(wireSchemas).map(([name, schema]) => [
      name,
      toJsonSchema(schema, name.endsWith("Body") ? "input" : "output"),
    ]),
  ) as Record<WireSchemaName, Record<string, unknown>>;
}
