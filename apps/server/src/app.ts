import { NotFoundError } from "@securecontext/protocol";
import { Hono } from "hono";
import { registerDemoRoutes } from "./demo/routes";
import { authenticate } from "./http/auth";
import type { AppEnv } from "./http/context";
import type { AppDeps } from "./http/deps";
import { createErrorHandler, problemResponse } from "./http/errors";
import { observeRequests } from "./http/observe";
import { rateLimit } from "./http/rate-limit";
import { requestId } from "./http/request-id";
import { rateLimitHeaders } from "./rate-limit";
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
  app.use("*", requestId());
  app.use("*", observeRequests(deps));
  const limiter = rateLimit(deps, (result) => rateLimitHeaders(result));
  for (const path of ["/v1/*", "/connect/*", "/oauth/*", "/my", "/my/*", "/demo/*", "/metrics"])
    app.use(path, limiter);
  const auth = authenticate(deps);
  app.use("/v1/*", auth);
  app.use("/metrics", auth);

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
  app.onError(createErrorHandler(deps.logger));
  return app;
}
