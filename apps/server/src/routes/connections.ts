import {
  connectionFilterSchema,
  connectionIdSchema,
  ForbiddenError,
  tokenRequestBodySchema,
} from "@securecontext/protocol";
import type { ConnectionListFilter } from "@securecontext/session-pool";
import type { Hono } from "hono";
import { requireCaller } from "../http/auth";
import { readJson, readParam, readQuery } from "../http/body";
import type { AppEnv } from "../http/context";
import type { AppDeps } from "../http/deps";
import { requestSignal } from "../http/request-signal";
import { aboutConnection, listBody, recordAudit, visibleConnection } from "./shared";

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
    await recordAudit(c, deps, {
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
    const connection = await visibleConnection(deps, caller, id);
    const body = await readJson(c, tokenRequestBodySchema);
    const allowed =
      caller.kind === "admin" ||
      (caller.kind === "client" && caller.allowTokenAccess) ||
      (caller.kind === "session" && caller.session.allowTokenAccess);
    if (!allowed) {
      await recordAudit(c, deps, {
        type: "token.issued",
        outcome: "denied",
        ...aboutConnection(connection),
      });
      throw new ForbiddenError(
        caller.kind === "session"
          ? "This session was not created with allowTokenAccess"
          : "This client is not allowed raw token access (allowTokenAccess)",
      );
    }
    try {
      const token = await deps.pool.getAccessToken(id, {
        ...(body.forceRefresh ? { forceRefresh: true } : {}),
        signal: requestSignal(c),
      });
      await recordAudit(c, deps, {
        type: "token.issued",
        outcome: "success",
        ...aboutConnection(connection),
        detail: { forceRefresh: Boolean(body.forceRefresh) },
      });
      c.header("Cache-Control", "no-store");
      return c.json(token);
    } catch (error) {
      await recordAudit(c, deps, {
        type: "token.issued",
        outcome: "failure",
        ...aboutConnection(connection),
      });
      throw error;
    }
  });
}
