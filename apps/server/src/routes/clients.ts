import {
  clientIdSchema,
  createClientBodySchema,
  listQuerySchema,
  NotFoundError,
} from "@securecontext/protocol";
import type { Hono } from "hono";
import { requireCaller } from "../http/auth";
import { readJson, readParam, readQuery } from "../http/body";
import type { AppEnv } from "../http/context";
import type { AppDeps } from "../http/deps";
import { listBody, recordAudit } from "./shared";

/** `POST/GET /v1/clients`, `DELETE /v1/clients/:id` (admin). */
export function registerClientRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post("/v1/clients", async (c) => {
    requireCaller(c, "admin");
    const body = await readJson(c, createClientBodySchema);
    const created = await deps.clients.create(body);
    recordAudit(c, deps, {
      type: "client.created",
      outcome: "success",
      clientId: created.id,
      detail: { name: created.name },
    });
    return c.json(created, 201);
  });

  app.get("/v1/clients", async (c) => {
    requireCaller(c, "admin");
    const query = readQuery(c, listQuerySchema);
    return c.json(
      listBody(
        await deps.clients.list({ limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) }),
      ),
    );
  });

  app.delete("/v1/clients/:id", async (c) => {
    requireCaller(c, "admin");
    const id = readParam(c, "id", clientIdSchema);
    if (!(await deps.clients.delete(id))) throw new NotFoundError(`Client ${id} not found`);
    recordAudit(c, deps, { type: "client.deleted", outcome: "success", clientId: id });
    return c.body(null, 204);
  });
}
