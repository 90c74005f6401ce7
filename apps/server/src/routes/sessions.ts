import {
  AuthRequiredError,
  type CreatedSession,
  type CreateSessionBody,
  createSessionBodySchema,
  extendSessionBodySchema,
  ForbiddenError,
  NotFoundError,
  sessionFilterSchema,
  sessionIdSchema,
  ValidationError,
} from "@securecontext/protocol";
import type { Context, Hono } from "hono";
import { requireCaller } from "../http/auth";
import { readJson, readParam, readQuery } from "../http/body";
import type { AppEnv } from "../http/context";
import type { AppDeps } from "../http/deps";
import { noStore } from "../http/response-headers";
import {
  canSeeConnection,
  createConnectRequest,
  listBody,
  recordAudit,
  visibleSession,
  withBodyField,
} from "./shared";

/**
 * A `providerIds` entry the user has not connected: the pool's 403 `auth_required` gets a `connectUrl`
 * (a fresh connect request for that provider, owned by the caller) as action calls do. It asks for the
 * requested `scopes` this provider offers, or the provider's scopes when none of them are its.
 */
async function withSessionConnectUrl(
  c: Context<AppEnv>,
  deps: AppDeps,
  clientId: string | null,
  body: CreateSessionBody,
  error: unknown,
): Promise<unknown> {
  if (!(error instanceof AuthRequiredError) || error.connectUrl || !error.providerId) return error;
  const provider = deps.providers.get(error.providerId);
  if (!provider) return error;
  const offered = new Set([...provider.scopes, ...provider.defaultScopes]);
  const scopes = (body.scopes ?? []).filter((scope) => offered.has(scope));
  const request = await createConnectRequest(
    c,
    deps,
    clientId,
    {
      userId: body.userId,
      providerId: provider.id,
      ...(scopes.length > 0 ? { scopes } : {}),
      ...(body.agentId ? { agentId: body.agentId } : {}),
    },
    "session_auth_required",
  );
  return new AuthRequiredError(error.message, {
    providerId: provider.id,
    connectUrl: request.url,
    ...(scopes.length > 0 ? { missingScopes: scopes } : {}),
    extra: { connectRequestId: request.id },
    cause: error,
  });
}

/** Sessions: create, list, get, extend, revoke, and `GET /v1/session` introspection. */
export function registerSessionRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post("/v1/sessions", async (c) => {
    const caller = requireCaller(c, "admin", "client");
    const body = await readJson(c, createSessionBodySchema);
    const clientId = caller.kind === "client" ? caller.clientId : null;
    if (body.allowTokenAccess && caller.kind === "client" && !caller.allowTokenAccess) {
      throw new ForbiddenError(
        "This client is not allowed raw token access, so its sessions cannot have allowTokenAccess",
      );
    }
    for (const [index, connectionId] of (body.connectionIds ?? []).entries()) {
      const connection = await deps.pool.connections.get(connectionId);
      if (!connection || !canSeeConnection(caller, connection)) {
        throw new NotFoundError(`Connection ${connectionId} not found`, {
          extra: { field: `body.connectionIds[${index}]` },
        });
      }
      if (connection.userId !== body.userId) {
        throw new ValidationError(`body.connectionIds[${index}]: connection belongs to another user`, {
          field: `body.connectionIds[${index}]`,
        });
      }
    }
    for (const [index, providerId] of (body.providerIds ?? []).entries()) {
      if (!deps.providers.has(providerId)) {
        throw new ValidationError(`body.providerIds[${index}]: unknown provider "${providerId}"`, {
          field: `body.providerIds[${index}]`,
        });
      }
    }
    const { session, token } = await deps.pool.sessions
      .create({
        clientId,
        userId: body.userId,
        ...(body.agentId ? { agentId: body.agentId } : {}),
        ...(body.connectionIds ? { connectionIds: body.connectionIds } : {}),
        ...(body.providerIds ? { providerIds: body.providerIds } : {}),
        ...(body.scopes ? { scopes: body.scopes } : {}),
        ttlSeconds: body.ttlSeconds,
        ...(body.allowTokenAccess !== undefined ? { allowTokenAccess: body.allowTokenAccess } : {}),
      })
      .catch(async (error: unknown) => {
        throw withBodyField(await withSessionConnectUrl(c, deps, clientId, body, error));
      });
    recordAudit(c, deps, {
      type: "session.created",
      outcome: "success",
      userId: session.userId,
      sessionId: session.id,
      detail: {
        connectionIds: session.connectionIds,
        scopes: session.scopes,
        allowTokenAccess: session.allowTokenAccess,
        agentId: session.agentId,
      },
    });
    const created: CreatedSession = { ...session, token };
    noStore(c);
    return c.json(created, 201);
  });

  app.get("/v1/sessions", async (c) => {
    const caller = requireCaller(c, "admin", "client");
    const query = readQuery(c, sessionFilterSchema);
    const page = await deps.pool.sessions.list({
      ...(caller.kind === "client" ? { clientId: caller.clientId } : {}),
      ...(query.userId ? { userId: query.userId } : {}),
      ...(query.agentId ? { agentId: query.agentId } : {}),
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    return c.json(listBody(page));
  });

  app.get("/v1/session", (c) => {
    const caller = requireCaller(c, "session");
    return c.json(caller.session);
  });

  app.get("/v1/sessions/:id", async (c) => {
    const caller = requireCaller(c, "admin", "client", "session");
    const id = readParam(c, "id", sessionIdSchema);
    return c.json(await visibleSession(deps, caller, id));
  });

  app.post("/v1/sessions/:id/extend", async (c) => {
    const caller = requireCaller(c, "admin", "client");
    const id = readParam(c, "id", sessionIdSchema);
    await visibleSession(deps, caller, id);
    const body = await readJson(c, extendSessionBodySchema);
    const session = await deps.pool.sessions.extend(id, body.ttlSeconds);
    recordAudit(c, deps, {
      type: "session.extended",
      outcome: "success",
      userId: session.userId,
      sessionId: session.id,
      detail: { expiresAt: session.expiresAt },
    });
    return c.json(session);
  });

  app.delete("/v1/sessions/:id", async (c) => {
    const caller = requireCaller(c, "admin", "client", "session");
    const id = readParam(c, "id", sessionIdSchema);
    const session = await visibleSession(deps, caller, id);
    await deps.pool.sessions.revoke(id);
    recordAudit(c, deps, {
      type: "session.revoked",
      outcome: "success",
      userId: session.userId,
      sessionId: id,
    });
    return c.body(null, 204);
  });
}
