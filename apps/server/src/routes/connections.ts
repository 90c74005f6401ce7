import {
  connectionFilterSchema,
  connectionIdSchema,
  ForbiddenError,
  NotFoundError,
  tokenRequestBodySchema,
} from "@securecontext/protocol";
import type {
  Caller,
  ConnectionListFilter,
  ConnectionOwnership,
  GetAccessTokenOptions,
} from "@securecontext/session-pool";
import type { Context, Hono } from "hono";
import { requireCaller } from "../http/auth";
import { readJson, readParam, readQuery } from "../http/body";
import type { AppEnv } from "../http/context";
import type { AppDeps } from "../http/deps";
import { requestSignal } from "../http/request-signal";
import { noStore } from "../http/response-headers";
import {
  aboutConnection,
  canSeeConnection,
  connectionNotFound,
  listBody,
  recordAudit,
  visibleConnection,
} from "./shared";

/**
 * The options of one token call (one object per request, its methods on the prototype). The pool
 * reads the connection once and asks `authorize` whether this caller may see it before it looks at
 * anything else; a connection the caller may not see fails as a missing one does. The request's
 * abort signal is built only if the call has to wait for a refresh (a warm token never needs it).
 */
class TokenCall implements GetAccessTokenOptions {
  /** Whose connection it is, once `authorize` let the caller see it. */
  about: ReturnType<typeof aboutConnection> | undefined;

  constructor(
    private readonly c: Context<AppEnv>,
    private readonly caller: Caller,
    readonly forceRefresh: boolean,
  ) {}

  authorize(connection: ConnectionOwnership): boolean {
    if (!canSeeConnection(this.caller, connection)) return false;
    this.about = aboutConnection(connection);
    return true;
  }

  get signal(): AbortSignal {
    return requestSignal(this.c);
  }
}

/** Connections: list/get/delete and the token endpoint. */
export function registerConnectionRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get("/v1/connections", async (c) => {
    const caller = requireCaller(c, "admin", "client", "session");
    const query = readQuery(c, connectionFilterSchema);
    const filter: ConnectionListFilter = {
      ...(query.userId ? { userId: query.userId } : {}),
      ...(query.providerId ? { providerId: query.providerId } : {}),
      ...(query.status ? { status: query.status } : {}),
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    };
    if (caller.kind === "client") filter.clientId = caller.clientId;
    if (caller.kind === "session") {
      filter.ids = caller.session.connectionIds;
      filter.userId = caller.session.userId;
      if (query.userId && query.userId !== caller.session.userId)
        return c.json({ items: [], nextCursor: null });
    }
    return c.json(listBody(await deps.pool.connections.list(filter)));
  });

  app.get("/v1/connections/:id", async (c) => {
    const caller = requireCaller(c, "admin", "client", "session");
    const id = readParam(c, "id", connectionIdSchema);
    return c.json(await visibleConnection(deps, caller, id));
  });

  app.delete("/v1/connections/:id", async (c) => {
    const caller = requireCaller(c, "admin", "client");
    const id = readParam(c, "id", connectionIdSchema);
    const connection = await visibleConnection(deps, caller, id);
    await deps.pool.connections.revoke(id);
    recordAudit(c, deps, {
      type: "connection.revoked",
      outcome: "success",
      ...aboutConnection(connection),
      detail: { providerId: connection.providerId },
    });
    return c.body(null, 204);
  });

  app.post("/v1/connections/:id/token", async (c) => {
    const caller = requireCaller(c, "admin", "client", "session");
    const id = readParam(c, "id", connectionIdSchema);
    const allowed =
      caller.kind === "admin" ||
      (caller.kind === "client" && caller.allowTokenAccess) ||
      (caller.kind === "session" && caller.session.allowTokenAccess);
    if (!allowed) {
      const connection = await visibleConnection(deps, caller, id);
      await readJson(c, tokenRequestBodySchema);
      recordAudit(c, deps, { type: "token.issued", outcome: "denied", ...aboutConnection(connection) });
      throw new ForbiddenError(
        caller.kind === "session"
          ? "This session was not created with allowTokenAccess"
          : "This client is not allowed raw token access (allowTokenAccess)",
      );
    }
    const body = await readJson(c, tokenRequestBodySchema);
    const call = new TokenCall(c, caller, body.forceRefresh === true);
    try {
      const token = await deps.pool.getAccessToken(id, call);
      const about = call.about as ReturnType<typeof aboutConnection>;
      recordAudit(c, deps, {
        type: "token.issued",
        outcome: "success",
        userId: about.userId,
        connectionId: about.connectionId,
        clientId: about.clientId,
        detail: { forceRefresh: call.forceRefresh },
      });
      noStore(c);
      return c.json(token);
    } catch (error) {
      if (call.about === undefined) {
        if (error instanceof NotFoundError) throw connectionNotFound(id);
        throw error;
      }
      recordAudit(c, deps, { type: "token.issued", outcome: "failure", ...call.about });
      throw error;
    }
  });
}
