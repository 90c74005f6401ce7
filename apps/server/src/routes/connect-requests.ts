import {
  type ConnectRequest,
  connectRequestIdSchema,
  createConnectRequestBodySchema,
  NotFoundError,
} from "@securecontext/protocol";
import type { Hono } from "hono";
import { requireCaller } from "../http/auth";
import { readJson, readParam } from "../http/body";
import type { AppEnv } from "../http/context";
import type { AppDeps } from "../http/deps";
import { connectRequestOwner, createConnectRequest } from "./shared";

/** The API view of a connect request: exactly the wire fields, nothing internal. */
export function connectRequestView(request: ConnectRequest): ConnectRequest {
  return {
    id: request.id,
    status: request.status,
    url: request.url,
    userId: request.userId,
    providerId: request.providerId,
    scopes: request.scopes,
    ...(request.agentId ? { agentId: request.agentId } : {}),
    ...(request.redirectUrl ? { redirectUrl: request.redirectUrl } : {}),
    expiresAt: request.expiresAt,
    createdAt: request.createdAt,
    ...(request.connectionId ? { connectionId: request.connectionId } : {}),
    ...(request.error ? { error: request.error } : {}),
  };
}

/** `POST /v1/connect-requests`, `GET /v1/connect-requests/:id`. */
export function registerConnectRequestRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post("/v1/connect-requests", async (c) => {
    const caller = requireCaller(c, "admin", "client");
    const body = await readJson(c, createConnectRequestBodySchema);
    const request = await createConnectRequest(
      c,
      deps,
      caller.kind === "client" ? caller.clientId : null,
      body,
    );
    return c.json(
      { id: request.id, url: request.url, status: request.status, expiresAt: request.expiresAt },
      201,
    );
  });

  app.get("/v1/connect-requests/:id", async (c) => {
    const caller = requireCaller(c, "admin", "client");
    const id = readParam(c, "id", connectRequestIdSchema);
    const request = await deps.pool.connect.get(id);
    if (!request) throw new NotFoundError(`Connect request ${id} not found`);
    if (caller.kind === "client" && (await connectRequestOwner(deps, id)) !== caller.clientId) {
      throw new NotFoundError(`Connect request ${id} not found`);
    }
    return c.json(connectRequestView(request));
  });
}
