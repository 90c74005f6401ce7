import { PROTOCOL_VERSION, type WireSchemaName, wireJsonSchemas } from "@securecontext/protocol";

type Security = "public" | "bearer" | "browser";

/** One documented operation. `path` uses OpenAPI `{param}` syntax. */
export interface RouteDoc {
  method: "get" | "post" | "delete" | "put" | "patch";
  path: string;
  summary: string;
  callers: string;
  security: Security;
  request?: WireSchemaName;
  /** Success status and body schema (or a content type for non-JSON bodies). */
  response: { status: number; schema?: WireSchemaName; list?: boolean; contentType?: string };
  query?: string[];
}

const ref = (name: WireSchemaName) => ({ $ref: `#/components/schemas/${name}` });

/** The route table of SPEC §3 that this server serves (used for `/openapi.json` and tests). */
export const routeDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/.well-known/securecontext",
    summary: "Discovery document",
    callers: "anyone",
    security: "public",
    response: { status: 200, schema: "Discovery" },
  },
  {
    method: "get",
    path: "/healthz",
    summary: "Liveness",
    callers: "anyone",
    security: "public",
    response: { status: 200 },
  },
  {
    method: "get",
    path: "/readyz",
    summary: "Readiness (pings the store)",
    callers: "anyone",
    security: "public",
    response: { status: 200 },
  },
  {
    method: "get",
    path: "/metrics",
    summary: "Prometheus metrics",
    callers: "admin",
    security: "bearer",
    response: { status: 200, contentType: "text/plain" },
  },
  {
    method: "get",
    path: "/openapi.json",
    summary: "This document",
    callers: "anyone",
    security: "public",
    response: { status: 200 },
  },
  {
    method: "post",
    path: "/v1/clients",
    summary: "Create a client (API key shown once)",
    callers: "admin",
    security: "bearer",
    request: "CreateClientBody",
    response: { status: 201, schema: "CreatedClient" },
  },
  {
    method: "get",
    path: "/v1/clients",
    summary: "List clients",
    callers: "admin",
    security: "bearer",
    response: { status: 200, schema: "Client", list: true },
    query: ["limit", "cursor"],
  },
  {
    method: "delete",
    path: "/v1/clients/{id}",
    summary: "Delete a client; its key stops working at once",
    callers: "admin",
    security: "bearer",
    response: { status: 204 },
  },
  {
    method: "post",
    path: "/v1/connect-requests",
    summary: "Start a consent flow",
    callers: "admin, client",
    security: "bearer",
    request: "CreateConnectRequestBody",
    response: { status: 201, schema: "CreatedConnectRequest" },
  },
  {
    method: "get",
    path: "/v1/connect-requests/{id}",
    summary: "Status of a connect request",
    callers: "admin, owning client",
    security: "bearer",
    response: { status: 200, schema: "ConnectRequest" },
  },
  {
    method: "get",
    path: "/connect/{id}",
    summary: "Consent page",
    callers: "browser",
    security: "browser",
    response: { status: 200, contentType: "text/html" },
  },
  {
    method: "post",
    path: "/connect/{id}/approve",
    summary: "Approve (CSRF); 303 to the provider",
    callers: "browser",
    security: "browser",
    response: { status: 303 },
  },
  {
    method: "post",
    path: "/connect/{id}/deny",
    summary: "Deny (CSRF)",
    callers: "browser",
    security: "browser",
    response: { status: 303 },
  },
  {
    method: "get",
    path: "/oauth/callback",
    summary: "The one OAuth callback for every provider",
    callers: "browser",
    security: "browser",
    response: { status: 303 },
  },
  {
    method: "get",
    path: "/v1/connections",
    summary: "List connections",
    callers: "admin, client, session",
    security: "bearer",
    response: { status: 200, schema: "Connection", list: true },
    query: ["userId", "providerId", "status", "limit", "cursor"],
  },
  {
    method: "get",
    path: "/v1/connections/{id}",
    summary: "One connection",
    callers: "admin, owning client, session holding it",
    security: "bearer",
    response: { status: 200, schema: "Connection" },
  },
  {
    method: "delete",
    path: "/v1/connections/{id}",
    summary: "Revoke a connection",
    callers: "admin, owning client",
    security: "bearer",
    response: { status: 204 },
  },
  {
    method: "post",
    path: "/v1/connections/{id}/token",
    summary: "A valid access token",
    callers: "admin; client or session with token access",
    security: "bearer",
    request: "TokenRequestBody",
    response: { status: 200, schema: "AccessTokenResponse" },
  },
  {
    method: "post",
    path: "/v1/sessions",
    summary: "Create a session (token shown once)",
    callers: "admin, client",
    security: "bearer",
    request: "CreateSessionBody",
    response: { status: 201, schema: "CreatedSession" },
  },
  {
    method: "get",
    path: "/v1/sessions",
    summary: "List sessions",
    callers: "admin, owning client",
    security: "bearer",
    response: { status: 200, schema: "Session", list: true },
    query: ["userId", "agentId", "limit", "cursor"],
  },
  {
    method: "get",
    path: "/v1/sessions/{id}",
    summary: "One session",
    callers: "admin, owning client",
    security: "bearer",
    response: { status: 200, schema: "Session" },
  },
  {
    method: "post",
    path: "/v1/sessions/{id}/extend",
    summary: "Extend a session (24 h cap)",
    callers: "admin, owning client",
    security: "bearer",
    request: "ExtendSessionBody",
    response: { status: 200, schema: "Session" },
  },
  {
    method: "delete",
    path: "/v1/sessions/{id}",
    summary: "Revoke a session",
    callers: "admin, owning client, the session",
    security: "bearer",
    response: { status: 204 },
  },
  {
    method: "get",
    path: "/v1/session",
    summary: "Introspect the calling session",
    callers: "session",
    security: "bearer",
    response: { status: 200, schema: "Session" },
  },
  {
    method: "get",
    path: "/v1/actions",
    summary: "Actions with JSON Schemas",
    callers: "authenticated",
    security: "bearer",
    response: { status: 200, schema: "ActionDescriptor", list: true },
  },
  {
    method: "post",
    path: "/v1/actions/{actionId}",
    summary: "Call an action",
    callers: "session; admin/client with userId",
    security: "bearer",
    request: "ActionCallBody",
    response: { status: 200, schema: "ActionResult" },
  },
  {
    method: "post",
    path: "/v1/actions/{actionId}/stream",
    summary: "Stream every item (NDJSON or SSE)",
    callers: "session; admin/client with userId",
    security: "bearer",
    request: "ActionCallBody",
    response: { status: 200, contentType: "application/x-ndjson" },
  },
  {
    method: "get",
    path: "/v1/proxy/{connectionId}/{path}",
    summary: "Proxy to the provider API (any method)",
    callers: "session, admin, owning client",
    security: "bearer",
    response: { status: 200, contentType: "*/*" },
  },
  {
    method: "post",
    path: "/v1/webhooks",
    summary: "Subscribe a webhook (secret shown once)",
    callers: "admin",
    security: "bearer",
    request: "CreateWebhookBody",
    response: { status: 201, schema: "CreatedWebhook" },
  },
  {
    method: "get",
    path: "/v1/webhooks",
    summary: "List webhooks",
    callers: "admin",
    security: "bearer",
    response: { status: 200, schema: "Webhook", list: true },
  },
  {
    method: "delete",
    path: "/v1/webhooks/{id}",
    summary: "Delete a webhook",
    callers: "admin",
    security: "bearer",
    response: { status: 204 },
  },
  {
    method: "get",
    path: "/v1/audit-events",
    summary: "Audit events",
    callers: "admin; client (own)",
    security: "bearer",
    response: { status: 200, schema: "AuditEvent", list: true },
    query: ["userId", "connectionId", "type", "since", "limit", "cursor"],
  },
  {
    method: "get",
    path: "/v1/audit-events/verify",
    summary: "Verify the audit hash chain",
    callers: "admin",
    security: "bearer",
    response: { status: 200, schema: "AuditVerification" },
  },
  {
    method: "post",
    path: "/v1/users/{userId}/portal-links",
    summary: "One-time link to the user's connections page (extension)",
    callers: "admin, client",
    security: "bearer",
    response: { status: 201 },
  },
  {
    method: "get",
    path: "/my/{token}",
    summary: "Open the connections page from a one-time link",
    callers: "browser",
    security: "browser",
    response: { status: 303 },
  },
];

const PATH_PARAM = /\{([A-Za-z]+)\}/g;

/** OpenAPI 3.1 document generated from the protocol's zod schemas and {@link routeDocs}. */
export function buildOpenApiDocument(baseUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routeDocs) {
    const parameters = [
      ...[...route.path.matchAll(PATH_PARAM)].map((match) => ({
        name: match[1],
        in: "path",
        required: true,
        schema: { type: "string" },
      })),
      ...(route.query ?? []).map((name) => ({
        name,
        in: "query",
        required: false,
        schema: { type: "string" },
      })),
    ];
    const success: Record<string, unknown> = { description: route.summary };
    if (route.response.schema) {
      const schema = route.response.list
        ? {
            type: "object",
            required: ["items", "nextCursor"],
            properties: {
              items: { type: "array", items: ref(route.response.schema) },
              nextCursor: { type: ["string", "null"] },
            },
          }
        : ref(route.response.schema);
      success.content = { "application/json": { schema } };
    } else if (route.response.contentType) {
      success.content = { [route.response.contentType]: {} };
    }
    const problem = {
      description: "Error (RFC 9457)",
      content: { "application/problem+json": { schema: ref("Problem") } },
    };
    const operation: Record<string, unknown> = {
      summary: route.summary,
      description: `Callers: ${route.callers}.`,
      operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : ""))}`,
      ...(parameters.length ? { parameters } : {}),
      ...(route.request
        ? {
            requestBody: {
              required: route.response.status === 201,
              content: { "application/json": { schema: ref(route.request) } },
            },
          }
        : {}),
      responses: { [String(route.response.status)]: success, "4XX": problem, "5XX": problem },
      security: route.security === "bearer" ? [{ bearer: [] }] : [],
    };
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method] = operation;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "SecureContext Protocol reference server",
      version: PROTOCOL_VERSION,
      description: "Consented, short-lived, scoped OAuth access for AI agents (SPEC §3).",
    },
    servers: [{ url: baseUrl }],
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    paths,
    components: {
      schemas: wireJsonSchemas(),
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "The admin key, a client API key (scp_sk_…) or a session token (scp_st_…)",
        },
      },
    },
  };
}
