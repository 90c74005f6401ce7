import { type DiscoveryDocument, PROTOCOL_VERSION, StoreError } from "@securecontext/protocol";
import type { Hono } from "hono";
import { requireCaller } from "../http/auth";
import type { AppEnv } from "../http/context";
import type { AppDeps } from "../http/deps";
import { buildOpenApiDocument } from "./openapi";

/** Discovery, health, readiness, metrics and the OpenAPI document. */
export function registerSystemRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const base = deps.baseUrl;
  let openApiCache: string | undefined;

  app.get("/.well-known/securecontext", (c) => {
    const providers = [...deps.providers.values()];
    const document: DiscoveryDocument = {
      protocolVersion: PROTOCOL_VERSION,
      issuer: base,
      endpoints: {
        clients: `${base}/v1/clients`,
        connectRequests: `${base}/v1/connect-requests`,
        connections: `${base}/v1/connections`,
        sessions: `${base}/v1/sessions`,
        session: `${base}/v1/session`,
        actions: `${base}/v1/actions`,
        proxy: `${base}/v1/proxy`,
        webhooks: `${base}/v1/webhooks`,
        auditEvents: `${base}/v1/audit-events`,
        oauthCallback: `${base}/oauth/callback`,
        openapi: `${base}/openapi.json`,
        metrics: `${base}/metrics`,
        health: `${base}/healthz`,
        readiness: `${base}/readyz`,
      },
      providers: providers.map((provider) => ({
        id: provider.id,
        displayName: provider.displayName,
        type: provider.type,
        scopes: provider.scopes,
      })),
      actions: providers.flatMap((provider) => provider.actions.map((action) => action.id)),
      ...(deps.demo ? { demo: true } : {}),
    };
    c.header("Cache-Control", "public, max-age=60");
    return c.json(document);
  });

  app.get("/healthz", (c) => c.json({ status: "ok" }));

  app.get("/readyz", async (c) => {
    try {
      await deps.backend.ping();
      return c.json({ status: "ready", store: deps.backend.kind });
    } catch (error) {
      throw error instanceof StoreError
        ? error
        : new StoreError("The store is not reachable", { cause: error });
    }
  });

  app.get("/metrics", (c) => {
    requireCaller(c, "admin");
    return c.body(deps.metrics.render(), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
  });

  app.get("/openapi.json", (c) => {
    openApiCache ??= JSON.stringify(buildOpenApiDocument(base));
    return c.body(openApiCache, 200, { "Content-Type": "application/json" });
  });
}
