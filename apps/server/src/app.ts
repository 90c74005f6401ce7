import { NotFoundError } from "@securecontext/protocol";
import { Hono } from "hono";
import { registerDemoRoutes } from "./demo/routes";
import type { AppEnv } from "./http/context";
import type { AppDeps } from "./http/deps";
import { createErrorHandler, problemResponse } from "./http/errors";
import { frontDoor } from "./http/front-door";
import { registerActionRoutes } from "./routes/actions";
import { registerAuditRoutes } from "./routes/audit";
import { registerClientRoutes } from "./routes/clients";
import { registerConnectPages } from "./routes/connect-pages";
import { registerConnectRequestRoutes } from "./routes/connect-requests";
import { registerConnectionRoutes } from "./routes/connections";
import { registerPlaceholderRoutes } from "./routes/placeholders";
import { registerPortalRoutes } from "./routes/portal";
import { registerProxyRoutes } from "./routes/proxy";
import { registerSessionRoutes } from "./routes/sessions";
import { registerSystemRoutes } from "./routes/system";
import { registerWebhookRoutes } from "./routes/webhooks";

export type { AppDeps, DemoInfo } from "./http/deps";

/**
 * The SCP HTTP app (SPEC §3) over already-built dependencies. `startServer` builds those from the
 * environment; tests may build them directly and call `app.request(…)` without listening.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const onError = createErrorHandler(deps.logger);
  app.use("*", frontDoor(deps, onError));

  registerSystemRoutes(app, deps);
  registerClientRoutes(app, deps);
  registerConnectRequestRoutes(app, deps);
  registerConnectPages(app, deps);
  registerConnectionRoutes(app, deps);
  registerSessionRoutes(app, deps);
  registerActionRoutes(app, deps);
  registerProxyRoutes(app, deps);
  registerWebhookRoutes(app, deps);
  registerAuditRoutes(app, deps);
  registerPortalRoutes(app, deps);
  registerPlaceholderRoutes(app);
  registerDemoRoutes(app, deps);

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    return problemResponse(new NotFoundError(path.startsWith("/v1/") ? "No such API route" : "Not found"));
  });
  app.onError(onError);
  return app;
}
