import { NotFoundError } from "@securecontext/protocol";
import type { Hono } from "hono";
import type { AppEnv } from "../http/context";

/** Workflow and marketplace rows of SPEC §3 arrive with their own packages; until then a JSON 404. */
export function registerPlaceholderRoutes(app: Hono<AppEnv>): void {
  const notYet = () => {
    throw new NotFoundError(
      "Not available yet: workflows and the agent marketplace are not enabled on this server",
    );
  };
  for (const path of ["/v1/workflow-templates", "/v1/workflow-runs", "/v1/agents"]) {
    app.all(path, notYet);
    app.all(`${path}/*`, notYet);
  }
}
