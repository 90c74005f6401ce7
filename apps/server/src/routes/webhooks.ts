import { createWebhookBodySchema, NotFoundError, webhookIdSchema } from "@securecontext/protocol";
import type { Hono } from "hono";
import { requireCaller } from "../http/auth";
import { readJson, readParam } from "../http/body";
import type { AppEnv } from "../http/context";
import type { AppDeps } from "../http/deps";
import { listBody, recordAudit } from "./shared";

/** `POST/GET /v1/webhooks`, `DELETE /v1/webhooks/:id` (admin). */
export function registerWebhookRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post("/v1/webhooks", async (c) => {
    requireCaller(c, "admin");
    const body = await readJson(c, createWebhookBodySchema);
    const created = await deps.webhooks.create(body);
    recordAudit(c, deps, {
      type: "webhook.created",
      outcome: "success",
      detail: { webhookId: created.id, events: created.events },
    });
    c.header("Cache-Control", "no-store");
    return c.json(created, 201);
  });

  app.get("/v1/webhooks", async (c) => {
    requireCaller(c, "admin");
    return c.json(listBody(await deps.webhooks.list()));
  });

  app.delete("/v1/webhooks/:id", async (c) => {
    requireCaller(c, "admin");
    const id = readParam(c, "id", webhookIdSchema);
    if (!(await deps.webhooks.delete(id))) throw new NotFoundError(`Webhook ${id} not found`);
    recordAudit(c, deps, { type: "webhook.deleted", outcome: "success", detail: { webhookId: id } });
    return c.body(null, 204);
  });
}
