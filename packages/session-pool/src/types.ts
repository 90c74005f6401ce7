import type {
  AccessTokenResponse,
  Account,
  Connection,
  ConnectionStatus,
  ConnectRequest,
  ListPage,
  Session,
  StatusReason,
  TokenSet,
} from "@securecontext/protocol";

/**
 * The session pool's public contract, shared by the reference server, the LangChain and MCP
 * integrations (embedded mode) and tests. Times on the wire are ISO strings; options take epoch ms.
 */

/** Who is asking. Clients only ever see their own records (others read as not found). */
export type Caller =
  | { kind: "admin" }
  | { kind: "client"; clientId: string; allowTokenAccess: boolean }
  | { kind: "session"; session: Session };

export interface CreateConnectionInput {
  userId: string;
  providerId: string;
  clientId: string | null;
  account: Account;
  tokenSet: TokenSet;
}

export interface ConnectionListFilter {
  userId?: string;
  providerId?: string;
  status?: ConnectionStatus;
  clientId?: string | null;
  /** Restrict to these ids (a session's connections). */
  ids?: string[];
  limit?: number;
  cursor?: string;
}

/** The fields of a connection that say whose it is (what an access check needs). */
export type ConnectionOwnership = Pick<Connection, "id" | "userId" | "providerId" | "clientId">;

export interface GetAccessTokenOptions {
  forceRefresh?: boolean;
  /** Refresh when the token expires within this many ms (default 60 000). */
  minValidityMs?: number;
  /**
   * Aborts waiting for a refresh. Read only when the call has to wait or refresh, so it may be a
   * getter that builds the signal on demand (the warm path never needs one).
   */
  signal?: AbortSignal;
  /**
   * Called with the connection's ownership right after it is read, before its status is looked
   * at. Return false to fail exactly as a missing connection does (`NotFoundError`), so a caller
   * that may not see it learns nothing about it — not even that it was revoked. Saves a separate
   * read of the connection for the access check. Called as a method of these options.
   */
  authorize?: (connection: ConnectionOwnership) => boolean;
}

export interface ConnectionService {
  /** Stores a new connection (or replaces the tokens of the same user/provider/account/client). */
  create(input: CreateConnectionInput): Promise<Connection>;
  get(connectionId: string): Promise<Connection | undefined>;
  list(filter: ConnectionListFilter): Promise<ListPage<Connection>>;
  /** Revokes at the provider when it can, erases the tokens, marks `revoked`. Idempotent. */
  revoke(connectionId: string): Promise<Connection>;
  setStatus(connectionId: string, status: ConnectionStatus, reason?: StatusReason): Promise<Connection>;
}

export interface CreateSessionInput {
  clientId: string | null;
  userId: string;
  agentId?: string;
  connectionIds?: string[];
  providerIds?: string[];
  scopes?: string[];
  ttlSeconds: number;
  allowTokenAccess?: boolean;
}

export interface SessionService {
  /** Narrows scopes to what the connections hold. Returns the token once. */
  create(input: CreateSessionInput): Promise<{ session: Session; token: string }>;
  /** The live session for a token, or undefined (unknown, expired or revoked). Fast path: LRU. */
  verify(token: string): Promise<Session | undefined>;
  get(sessionId: string): Promise<Session | undefined>;
  list(filter: {
    clientId?: string | null;
    userId?: string;
    agentId?: string;
    limit?: number;
    cursor?: string;
  }): Promise<ListPage<Session>>;
  /** Adds ttl from now, capped at 24 h after creation. */
  extend(sessionId: string, ttlSeconds: number): Promise<Session>;
  /** Revokes on every instance at once. Idempotent. */
  revoke(sessionId: string): Promise<void>;
}

export interface CreateConnectRequestInput {
  clientId: string | null;
  userId: string;
  providerId: string;
  scopes?: string[];
  redirectUrl?: string;
  agentId?: string;
}

export interface ConnectFlowService {
  create(input: CreateConnectRequestInput): Promise<ConnectRequest>;
  get(connectRequestId: string): Promise<ConnectRequest | undefined>;
  /**
   * Starts the provider flow for a pending request: stores one-time `state` bound to the request and
   * to `browserBinding` (a random value kept in an HttpOnly cookie), PKCE verifier and nonce.
   * Returns the provider's authorization URL.
   */
  begin(connectRequestId: string, browserBinding: string): Promise<URL>;
  deny(connectRequestId: string): Promise<ConnectRequest>;
  /**
   * Handles the one callback for every provider: takes the state once, checks the browser binding,
   * exchanges the code, stores the connection. Returns the finished request: `completed` with
   * `connectionId`, or `failed` with an OAuth-style `error` (`access_denied`, the provider's error
   * code, `identity_failed`, `server_error`, …). Throws `ConnectFlowError` (with `reason`) when the
   * callback cannot be tied to a live request: missing / unknown / replayed state, another browser,
   * or a request that expired or already finished.
   */
  complete(callbackUrl: URL, browserBinding: string | undefined): Promise<ConnectRequest>;
}

export interface ActionRunInput {
  actionId: string;
  connectionId: string;
  input: unknown;
  signal?: AbortSignal;
}

export interface ActionService {
  run(params: ActionRunInput): Promise<unknown>;
  stream(params: ActionRunInput): AsyncIterable<unknown>;
  /** `fetch` for a connection that adds the bearer token and refreshes + retries once on 401. */
  authorizedFetch(connectionId: string): (input: string | URL, init?: RequestInit) => Promise<Response>;
}

/** Events for webhooks and audit. */
export type PoolEvent =
  | { type: "connection.created"; connection: Connection }
  | { type: "connection.refreshed"; connectionId: string }
  | { type: "connection.refresh_failed"; connectionId: string; transient: boolean; reason?: string }
  | { type: "connection.needs_reauth"; connection: Connection }
  | { type: "connection.recovered"; connection: Connection }
  | { type: "connection.revoked"; connection: Connection }
  | { type: "connect_request.failed"; connectRequest: ConnectRequest }
  | { type: "connect_request.completed"; connectRequest: ConnectRequest }
  | { type: "session.created"; session: Session }
  | { type: "session.extended"; session: Session }
  | { type: "session.revoked"; sessionId: string };

export interface SessionPool {
  connections: ConnectionService;
  sessions: SessionService;
  connect: ConnectFlowService;
  actions: ActionService;
  getAccessToken(connectionId: string, options?: GetAccessTokenOptions): Promise<AccessTokenResponse>;
  /** Subscribe to events; returns unsubscribe. */
  onEvent(listener: (event: PoolEvent) => void): () => void;
  close(): Promise<void>;
}
