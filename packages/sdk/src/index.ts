/**
 * Fetch-based TypeScript client for the SecureContext Protocol HTTP API. No Node-only APIs: it
 * runs in Node, browsers, Deno, Bun and edge runtimes. Responses are validated with the protocol
 * schemas; errors arrive as the protocol's `ScpError` subclasses.
 *
 * @example
 * ```ts
 * import { AuthRequiredError, createClient } from "@securecontext/sdk";
 *
 * // An app (client API key) connects a person and opens a session for its agent.
 * const app = createClient({ baseUrl: "http://localhost:8787", apiKey: process.env.SCP_API_KEY });
 * const request = await app.connectRequests.create({ userId: "u_1", providerId: "google" });
 * console.log("Ask the person to open", request.url);
 * const connection = await app.waitForConnection(request.id, { timeoutMs: 5 * 60_000 });
 * const session = await app.sessions.create({ userId: "u_1", connectionIds: [connection.id] });
 *
 * // The agent holds only the short-lived session token.
 * const agent = createClient({ baseUrl: "http://localhost:8787", sessionToken: session.token });
 * try {
 *   const { output } = await agent.actions.call("google.gmail.search", { input: { query: "invoice" } });
 *   console.log(output);
 *   for await (const message of agent.actions.stream("google.gmail.search", { input: { query: "" } })) {
 *     console.log(message);
 *   }
 * } catch (error) {
 *   if (error instanceof AuthRequiredError) console.log("Connect first:", error.connectUrl);
 *   else throw error;
 * }
 * ```
 *
 * @packageDocumentation
 */
export {
  AuthRequiredError,
  ConflictError,
  ForbiddenError,
  isScpError,
  NotFoundError,
  PayloadTooLargeError,
  ProviderError,
  RateLimitedError,
  ReauthRequiredError,
  ScpError,
  TransportError,
  UnauthorizedError,
  UnexpectedResponseError,
  UnsupportedMediaTypeError,
  UpstreamError,
  ValidationError,
} from "@securecontext/protocol";
export type { Clock } from "./abort";
export { createClient, type ScpClient } from "./client";
export {
  ConnectRequestError,
  type ConnectRequestOutcome,
  errorFromResponse,
  type WebhookRejection,
  WebhookVerificationError,
} from "./errors";
export { parseNdjson } from "./ndjson";
export type { ClientOptions, RequestOptions } from "./options";
export { paginate } from "./paginate";
export type { ActionsApi } from "./resources/actions";
export type {
  AuditEventFilter,
  AuditEventsApi,
  ClientsApi,
  HealthStatus,
  WebhooksApi,
} from "./resources/admin";
export type { AgentSearch, AgentsApi } from "./resources/agents";
export type { ConnectionListFilter, ConnectionsApi, ConnectRequestsApi } from "./resources/connections";
export type { ListMethods, PageQuery } from "./resources/list";
export type { ProxyApi, ProxyRequestInit } from "./resources/proxy";
export type { SessionListFilter, SessionsApi } from "./resources/sessions";
export type {
  WorkflowRunEvent,
  WorkflowRunEventsOptions,
  WorkflowRunsApi,
  WorkflowTemplateInput,
  WorkflowTemplatesApi,
} from "./resources/workflows";
export { backoffDelay, defaultRetryOptions, isIdempotent, parseRetryAfter, type RetryOptions } from "./retry";
export { parseSse, type ServerSentEvent } from "./sse";
export type { WaitForConnectionOptions } from "./wait-for-connection";
export { signWebhook, type VerifyWebhookOptions, verifyWebhook } from "./webhook";
