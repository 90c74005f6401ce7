import { toProblem } from "@securecontext/protocol";
import type { Context } from "hono";
import type { AppEnv } from "../http/context";
import type { AppDeps } from "../http/deps";
import { normalizeError } from "../http/errors";
import { sendPage } from "../http/security-headers";
import { messagePage } from "../pages/result";

type PageStatus = 200 | 400 | 403 | 404 | 409 | 410 | 500;

/** Wraps a browser route: every error becomes an HTML page (never JSON, never a stack). */
export function pageRoute(deps: AppDeps, handler: (c: Context<AppEnv>) => Promise<Response>) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    try {
      return await handler(c);
    } catch (error) {
      const problem = toProblem(normalizeError(error));
      if (problem.status >= 500) {
        deps.logger.error({ requestId: c.get("requestId"), err: (error as Error).name }, "page failed");
      }
      const status = (
        [400, 403, 404, 409, 410].includes(problem.status)
          ? problem.status
          : problem.status === 413 || problem.status === 415
            ? 400
            : 500
      ) as PageStatus;
      const message =
        status === 500 ? "Something went wrong. Please try again." : (problem.detail ?? problem.title);
      return sendPage(c, messagePage(problem.title, message, Boolean(deps.demo)), status);
    }
  };
}
