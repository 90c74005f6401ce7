import { auditFilterSchema } from "@securecontext/protocol";
import type { Hono } from "hono";
import { requireCaller } from "../http/auth";
import { readQuery } from "../http/body";
import type { AppEnv } from "../http/context";
import type { AppDeps } from "../http/deps";
import { listBody } from "./shared";

/** `GET /v1/audit-events` (admin; a client sees its own), `GET /v1/audit-events/verify` (admin). */
export function registerAuditRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get("/v1/audit-events/verify", async (c) => {
    requireCaller(c, "admin");
    return c.json(await deps.audit.verify());
  });

  app.get("/v1/audit-events", async (c) => {
    const caller = requireCaller(c, "admin", "client");
    const filter = readQuery(c, auditFilterSchema);
    const page = await deps.audit.list({
      ...filter,
      ...(caller.kind === "client" ? { clientId: caller.clientId } : {}),
    });
    return c.json(listBody(page));
  });
}
