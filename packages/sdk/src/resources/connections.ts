import {
  type AccessTokenResponse,
  accessTokenResponseSchema,
  type Connection,
  type ConnectionStatus,
  type ConnectRequest,
  type CreateConnectRequestBody,
  type CreatedConnectRequest,
  connectionSchema,
  connectRequestSchema,
  createdConnectRequestSchema,
  type TokenRequestBody,
} from "@securecontext/protocol";
import type { RequestOptions } from "../options";
import type { Transport } from "../transport";
import { type ListMethods, listMethods, type PageQuery } from "./list";
import { segment } from "./path";

/** `GET /v1/connections` filters. */
export interface ConnectionListFilter extends PageQuery {
  userId?: string;
  providerId?: string;
  status?: ConnectionStatus;
}

export interface ConnectRequestsApi {
  /** Starts a consent flow; send the person to the returned `url`. Expires after 10 minutes. */
  create(body: CreateConnectRequestBody, options?: RequestOptions): Promise<CreatedConnectRequest>;
  get(connectRequestId: string, options?: RequestOptions): Promise<ConnectRequest>;
}

export interface ConnectionsApi extends ListMethods<Connection, ConnectionListFilter> {
  get(connectionId: string, options?: RequestOptions): Promise<Connection>;
  /** Revokes at the provider where possible, erases the tokens, marks the connection `revoked`. */
  delete(connectionId: string, options?: RequestOptions): Promise<void>;
  /**
   * A current access token (refreshed when it expires within 60 s). Only for admin, or for a client
   * or session created with `allowTokenAccess: true`; others get `ForbiddenError`.
   */
  token(
    connectionId: string,
    body?: TokenRequestBody,
    options?: RequestOptions,
  ): Promise<AccessTokenResponse>;
}

export function connectRequestsApi(transport: Transport): ConnectRequestsApi {
  return {
    create: (body, options) =>
      transport.json({
        method: "POST",
        path: "/v1/connect-requests",
        body,
        schema: createdConnectRequestSchema,
        options,
      }),
    get: (connectRequestId, options) =>
      transport.json({
        method: "GET",
        path: `/v1/connect-requests/${segment(connectRequestId)}`,
        schema: connectRequestSchema,
        options,
      }),
  };
}

export function connectionsApi(transport: Transport): ConnectionsApi {
  return {
    ...listMethods<typeof connectionSchema, ConnectionListFilter>(
      transport,
      "/v1/connections",
      connectionSchema,
    ),
    get: (connectionId, options) =>
      transport.json({
        method: "GET",
        path: `/v1/connections/${segment(connectionId)}`,
        schema: connectionSchema,
        options,
      }),
    delete: (connectionId, options) =>
      transport.empty({ method: "DELETE", path: `/v1/connections/${segment(connectionId)}`, options }),
    token: (connectionId, body, options) =>
      transport.json({
        method: "POST",
        path: `/v1/connections/${segment(connectionId)}/token`,
        body: body ?? {},
        schema: accessTokenResponseSchema,
        options,
      }),
  };
}
