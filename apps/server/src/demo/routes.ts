import { connectionIdSchema, NotFoundError, parseOrThrow, ValidationError } from "@securecontext/protocol";
import type { Hono } from "hono";
import { readForm } from "../http/body";
import { assertCsrf, browserBinding, csrfToken, ensureBrowserBinding } from "../http/browser";
import type { AppEnv } from "../http/context";
import type { AppDeps } from "../http/deps";
import { seeOther, sendPage } from "../http/security-headers";
import { pageRoute } from "../routes/pages";
import { createConnectRequest } from "../routes/shared";
import { demoLandingPage, demoSamplePage } from "./pages";

/** Sample actions the demo runs, in order of preference, per provider. */
const SAMPLE_ACTIONS: Record<string, string[]> = {
  google: ["google.gmail.search", "google.calendar.events", "google.drive.search"],
  microsoft: ["microsoft.mail.search", "microsoft.calendar.events", "microsoft.drive.search"],
};

/** `GET /` (landing), `POST /demo/try` and `POST /demo/sample`; registered only in demo mode. */
export function registerDemoRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const demo = deps.demo;
  if (!demo) return;
  const secure = deps.baseUrl.startsWith("https:");

  app.get(
    "/",
    pageRoute(deps, async (c) => {
      const binding = ensureBrowserBinding(c, secure);
      return sendPage(c, demoLandingPage(deps, csrfToken(deps.csrfKey, binding, "demo-try")));
    }),
  );

  app.post(
    "/demo/try",
    pageRoute(deps, async (c) => {
      const form = await readForm(c);
      assertCsrf(deps.csrfKey, browserBinding(c), "demo-try", form.get("csrf"));
      const providerId = form.get("providerId") ?? "";
      const provider = deps.providers.get(providerId);
      if (!provider) throw new ValidationError("Unknown provider");
      const scopes = [...new Set(provider.actions.flatMap((action) => action.requiredScopes))];
      const request = await createConnectRequest(
        c,
        deps,
        demo.clientId,
        { userId: demo.userId, providerId, scopes, agentId: "demo-agent" },
        "demo",
      );
      return seeOther(c, `/connect/${request.id}`);
    }),
  );

  app.post(
    "/demo/sample",
    pageRoute(deps, async (c) => {
      const form = await readForm(c);
      const connectionId = parseOrThrow(connectionIdSchema, form.get("connectionId"), "form.connectionId");
      assertCsrf(deps.csrfKey, browserBinding(c), `demo-sample:${connectionId}`, form.get("csrf"));
      const connection = await deps.pool.connections.get(connectionId);
      if (!connection || connection.userId !== demo.userId) throw new NotFoundError("Connection not found");
      const provider = deps.providers.get(connection.providerId);
      const action =
        (SAMPLE_ACTIONS[connection.providerId] ?? [])
          .map((id) => provider?.actions.find((candidate) => candidate.id === id))
          .find((candidate) => candidate !== undefined) ?? provider?.actions[0];
      if (!action) throw new NotFoundError("This provider has no actions");
      const input = action.input.safeParse({ maxResults: 5 }).success ? { maxResults: 5 } : {};
      const output = await deps.pool.actions.run({
        actionId: action.id,
        connectionId: connection.id,
        input: parseOrThrow(action.input, input, "input"),
      });
      return sendPage(c, demoSamplePage(action.id, output));
    }),
  );
}
