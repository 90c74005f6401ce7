import {
  type AuditEvent,
  type AuditVerification,
  auditEventSchema,
  auditVerificationSchema,
  type Client,
  type CreateClientBody,
  type CreatedClient,
  type CreatedWebhook,
  type CreateWebhookBody,
  clientSchema,
  createdClientSchema,
  createdWebhookSchema,
  type DiscoveryDocument,
  discoveryDocumentSchema,
  type Webhook,
  webhookSchema,
} from "@securecontext/protocol";
import { z } from "zod";
import type { RequestOptions } from "../options";
import type { Transport } from "../transport";
import { type ListMethods, listMethods, type PageQuery } from "./list";
import { segment } from "./path";

/** `GET /healthz` / `GET /readyz` body (server-defined members). */
export type HealthStatus = Record<string, unknown>;
const healthSchema = z.record(z.string(), z.unknown());

/** `GET /v1/audit-events` filters. `since` is an ISO 8601 timestamp. */
export interface AuditEventFilter extends PageQuery {
  userId?: string;
  connectionId?: string;
  type?: string;
  since?: string;
}

export interface ClientsApi extends ListMethods<Client, PageQuery> {
  /** Admin: registers a client; the response holds its API key, shown this once. */
  create(body: CreateClientBody, options?: RequestOptions): Promise<CreatedClient>;
  /** Admin: deletes a client; its keys stop working at once. */
  delete(clientId: string, options?: RequestOptions): Promise<void>;
}

export interface WebhooksApi extends ListMethods<Webhook, PageQuery> {
  /** Admin: subscribes a URL; the response holds the signing secret, shown this once. */
  create(body: CreateWebhookBody, options?: RequestOptions): Promise<CreatedWebhook>;
  delete(webhookId: string, options?: RequestOptions): Promise<void>;
}

export interface AuditEventsApi extends ListMethods<AuditEvent, AuditEventFilter> {
  /** Admin: recomputes the hash chain. */
  verify(options?: RequestOptions): Promise<AuditVerification>;
}

export function discoveryMethod(transport: Transport) {
  return (options?: RequestOptions): Promise<DiscoveryDocument> =>
    transport.json({
      method: "GET",
      path: "/.well-known/securecontext",
      schema: discoveryDocumentSchema,
      options,
    });
}

export function healthMethod(transport: Transport) {
  return (options?: RequestOptions & { ready?: boolean }): Promise<HealthStatus> =>
    transport.json({
      method: "GET",
      path: options?.ready ? "/readyz" : "/healthz",
      schema: healthSchema,
      options,
    });
}

export function clientsApi(transport: Transport): ClientsApi {
  return {
    ...listMethods(transport, "/v1/clients", clientSchema),
    create: (body, options) =>
      transport.json({ method: "POST", path: "/v1/clients", body, schema: createdClientSchema, options }),
    delete: (clientId, options) =>
      transport.empty({ method: "DELETE", path: `/v1/clients/${segment(clientId)}`, options }),
  };
}

export function webhooksApi(transport: Transport): WebhooksApi {
  return {
    ...listMethods(transport, "/v1/webhooks", webhookSchema),
    create: (body, options) =>
      transport.json({ method: "POST", path: "/v1/webhooks", body, schema: createdWebhookSchema, options }),
    delete: (webhookId, options) =>
      transport.empty({ method: "DELETE", path: `/v1/webhooks/${segment(webhookId)}`, options }),
  };
}

export function auditEventsApi(transport: Transport): AuditEventsApi {
  return {
    ...listMethods<typeof auditEventSchema, AuditEventFilter>(
      transport,
      "/v1/audit-events",
      auditEventSchema,
    ),
    verify: (options) =>
      transport.json({
        method: "GET",
        path: "/v1/audit-events/verify",
        schema: auditVerificationSchema,
        options,
      }),
  };
}
