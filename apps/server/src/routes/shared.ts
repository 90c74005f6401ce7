import {
  type Connection,
  type ConnectRequest,
  type CreateConnectRequestBody,
  type ListPage,
  NotFoundError,
  type Session,
  ValidationError,
} from "@securecontext/protocol";
import type { AuditAppendInput, Caller } from "@securecontext/session-pool";
import type { Context } from "hono";
import { clientIp } from "../http/auth";
import { type AppEnv, actorOf, clientIdOf } from "../http/context";
import type { AppDeps } from "../http/deps";

/**
 * An audit event as the routes describe it. `clientId` names the client whose records the event is
 * about (so `GET /v1/audit-events` shows it to that client): `null` means none (admin-owned); when
 * the key is absent, the caller's client is used.
 */
export type AuditInput = Omit<AuditAppendInput, "actor" | "clientId"> & {
  actor?: string;
  clientId?: string | null;
};

/**
 * The ownership fields of an event about a connection: its user, id and owning client (not the
 * caller's: an admin or an admin-created session acting on client A's connection is still A's business).
 */
export function aboutConnection(connection: Pick<Connection, "id" | "userId" | "clientId">): {
  userId: string;
  connectionId: string;
  clientId: string | null;
} {
  return { userId: connection.userId, connectionId: connection.id, clientId: connection.clientId };
}

/** Appends an audit event with the caller's actor, client and IP filled in. Never fails the request. */
export function recordAudit(c: Context<AppEnv>, deps: AppDeps, event: AuditInput): void {
  const caller = c.get("caller");
  const clientId = "clientId" in event ? event.clientId : caller ? clientIdOf(caller) : null;
  const sessionId = event.sessionId ?? (caller?.kind === "session" ? caller.session.id : undefined);
  const ip = clientIp(c);
  // One fixed shape (absent fields undefined, which the log drops) instead of conditional spreads:
  // this runs on every audited request.
  const input: AuditAppendInput = {
    type: event.type,
    actor: event.actor ?? actorOf(caller),
    outcome: event.outcome,
    clientId: clientId ?? undefined,
    userId: event.userId,
    connectionId: event.connectionId,
    sessionId,
    action: event.action,
    ip,
    detail: event.detail,
  };
  // Not waited for: the audit log queues the event in order and commits it with the next batch; the
  // server flushes the queue before the store closes (so a clean shutdown loses nothing), and the
  // log's own reads flush first (so an instance always lists its own events). `record` keeps nothing
  // of this request alive until then; a failure is logged with the request id.
  deps.audit.record(input, c.get("requestId"));
}

/** The connection if this caller may see it; 404 otherwise (never 403: ids of others do not exist). */
export async function visibleConnection(deps: AppDeps, caller: Caller, id: string): Promise<Connection> {
  const connection = await deps.pool.connections.get(id);
  if (!connection || !canSeeConnection(caller, connection)) throw connectionNotFound(id);
  return connection;
}

/** The 404 for a connection that does not exist or that this caller may not see (the same for both). */
export function connectionNotFound(id: string): NotFoundError {
  return new NotFoundError(`Connection ${id} not found`);
}

export function canSeeConnection(
  caller: Caller,
  connection: Pick<Connection, "id" | "userId" | "clientId">,
): boolean {
  if (caller.kind === "admin") return true;
  if (caller.kind === "client") return connection.clientId === caller.clientId;
  return caller.session.connectionIds.includes(connection.id) && caller.session.userId === connection.userId;
}

/** The session if this caller may see it (admin, owning client, the session itself). */
export async function visibleSession(deps: AppDeps, caller: Caller, id: string): Promise<Session> {
  const session = await deps.pool.sessions.get(id);
  const visible =
    session &&
    (caller.kind === "admin" ||
      (caller.kind === "client" && session.clientId === caller.clientId) ||
      (caller.kind === "session" && caller.session.id === session.id));
  if (!session || !visible) throw new NotFoundError(`Session ${id} not found`);
  return session;
}

/** Checks a `redirectUrl` against the client's registered origins (admin may use any http(s) URL). */
export async function assertRedirectAllowed(
  deps: AppDeps,
  clientId: string | null,
  redirectUrl: string,
): Promise<void> {
  if (clientId === null) return;
  const client = await deps.clients.get(clientId);
  const origin = new URL(redirectUrl).origin;
  if (!client?.redirectOrigins.includes(origin)) {
    throw new ValidationError(
      `body.redirectUrl: origin ${origin} is not one of the client's redirectOrigins`,
      {
        field: "body.redirectUrl",
      },
    );
  }
}

/** A pool ValidationError names fields of its input (`scopes[0]`); on the wire they are `body.scopes[0]`. */
export function withBodyField(error: unknown): unknown {
  if (error instanceof ValidationError && error.field && !/^(body|query|path|header)[.[]/.test(error.field)) {
    const field = `body.${error.field}`;
    return new ValidationError(error.message, { field, extra: { ...error.extra, field }, cause: error });
  }
  return error;
}

const CONNECT_OWNER_PREFIX = "srv:crowner:";
const CONNECT_OWNER_TTL_MS = 24 * 60 * 60 * 1000;

/** The client that created a connect request (`null`: admin or demo; `undefined`: unknown or gone). */
export async function connectRequestOwner(deps: AppDeps, id: string): Promise<string | null | undefined> {
  const record = await deps.backend.records.get<{ clientId: string | null }>(`${CONNECT_OWNER_PREFIX}${id}`);
  return record ? record.value.clientId : undefined;
}

/** Creates a connect request after checking the provider and redirect URL; audits it. */
export async function createConnectRequest(
  c: Context<AppEnv>,
  deps: AppDeps,
  clientId: string | null,
  body: CreateConnectRequestBody,
  reason = "api",
): Promise<ConnectRequest> {
  if (!deps.providers.has(body.providerId)) {
    throw new ValidationError(`body.providerId: unknown provider "${body.providerId}"`, {
      field: "body.providerId",
    });
  }
  if (body.redirectUrl) await assertRedirectAllowed(deps, clientId, body.redirectUrl);
  const request = await deps.pool.connect
    .create({
      clientId,
      userId: body.userId,
      providerId: body.providerId,
      ...(body.scopes ? { scopes: body.scopes } : {}),
      ...(body.redirectUrl ? { redirectUrl: body.redirectUrl } : {}),
      ...(body.agentId ? { agentId: body.agentId } : {}),
    })
    .catch((error: unknown) => {
      throw withBodyField(error);
    });
  await deps.backend.records.set(
    `${CONNECT_OWNER_PREFIX}${request.id}`,
    { clientId },
    { expiresAt: Date.now() + CONNECT_OWNER_TTL_MS },
  );
  recordAudit(c, deps, {
    type: "connect_request.created",
    outcome: "success",
    userId: body.userId,
    clientId,
    detail: { connectRequestId: request.id, providerId: body.providerId, scopes: request.scopes, reason },
  });
  return request;
}

/** `{items, nextCursor}` as the wire expects. */
export function listBody<T>(page: ListPage<T>): ListPage<T> {
  return { items: page.items, nextCursor: page.nextCursor ?? null };
}
