import type { Connection, DiscoveryDocument } from "@securecontext/protocol";
import type { ClientOptions, RequestOptions } from "./options";
import { type ActionsApi, actionsApi } from "./resources/actions";
import {
  type AuditEventsApi,
  auditEventsApi,
  type ClientsApi,
  clientsApi,
  discoveryMethod,
  type HealthStatus,
  healthMethod,
  type WebhooksApi,
  webhooksApi,
} from "./resources/admin";
import { type AgentsApi, agentsApi } from "./resources/agents";
import {
  type ConnectionsApi,
  type ConnectRequestsApi,
  connectionsApi,
  connectRequestsApi,
} from "./resources/connections";
import { type ProxyApi, proxyApi } from "./resources/proxy";
import { type SessionsApi, sessionsApi } from "./resources/sessions";
import {
  type WorkflowRunsApi,
  type WorkflowTemplatesApi,
  workflowRunsApi,
  workflowTemplatesApi,
} from "./resources/workflows";
import { createTransport } from "./transport";
import { type WaitForConnectionOptions, waitForConnection } from "./wait-for-connection";

/** A typed client for every endpoint of SPEC §3. Create one with {@link createClient}. */
export interface ScpClient {
  /** The normalized base URL (no trailing slash). */
  readonly baseUrl: string;
  /** `GET /.well-known/securecontext`. */
  discovery(options?: RequestOptions): Promise<DiscoveryDocument>;
  /** `GET /healthz`, or `GET /readyz` with `{ ready: true }` (throws when not ready). */
  health(options?: RequestOptions & { ready?: boolean }): Promise<HealthStatus>;
  clients: ClientsApi;
  connectRequests: ConnectRequestsApi;
  connections: ConnectionsApi;
  sessions: SessionsApi;
  actions: ActionsApi;
  /** A `fetch`-like helper over `/v1/proxy/:connectionId/*`. */
  proxy(connectionId: string): ProxyApi;
  workflowTemplates: WorkflowTemplatesApi;
  workflowRuns: WorkflowRunsApi;
  agents: AgentsApi;
  webhooks: WebhooksApi;
  auditEvents: AuditEventsApi;
  /**
   * Polls a connect request until the person finishes; resolves with the connection or throws
   * `ConnectRequestError` (`failed` / `expired` / `timeout`).
   */
  waitForConnection(connectRequestId: string, options?: WaitForConnectionOptions): Promise<Connection>;
}

/**
 * Creates an SCP client. Authenticate with `apiKey` (admin key or a client's `scp_sk_…`) or
 * `sessionToken` (`scp_st_…`). Runs on any runtime with `fetch`, Web Streams and Web Crypto.
 *
 * @example
 * ```ts
 * const scp = createClient({ baseUrl: "http://localhost:8787", apiKey: process.env.SCP_API_KEY });
 * const request = await scp.connectRequests.create({ userId: "u_1", providerId: "google" });
 * console.log("Open", request.url);
 * const connection = await scp.waitForConnection(request.id);
 * ```
 */
export function createClient(options: ClientOptions): ScpClient {
  const transport = createTransport(options);
  const connectRequests = connectRequestsApi(transport);
  const connections = connectionsApi(transport);
  return {
    baseUrl: transport.baseUrl,
    discovery: discoveryMethod(transport),
    health: healthMethod(transport),
    clients: clientsApi(transport),
    connectRequests,
    connections,
    sessions: sessionsApi(transport),
    actions: actionsApi(transport),
    proxy: (connectionId) => proxyApi(transport, connectionId),
    workflowTemplates: workflowTemplatesApi(transport),
    workflowRuns: workflowRunsApi(transport),
    agents: agentsApi(transport),
    webhooks: webhooksApi(transport),
    auditEvents: auditEventsApi(transport),
    waitForConnection: (connectRequestId, waitOptions) =>
      waitForConnection({ transport, connectRequests, connections }, connectRequestId, waitOptions),
  };
}
