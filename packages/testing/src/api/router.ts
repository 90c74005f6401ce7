import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import type { UserData } from "../data/generate";
import type { FaultQueue } from "../faults";
import { delay, sendJson } from "../http-util";
import { hasScope } from "../profiles";
import type { StatsRecorder } from "../stats";
import type { TestIdpProfile } from "../types";
import { calendarRoutes } from "./calendar";
import { driveRoutes } from "./drive";
import { apiError } from "./errors";
import { gmailRoutes } from "./gmail";
import { graphRoutes } from "./graph";
import type { ApiFamily, ApiResult, ApiRoute } from "./types";

const API_PREFIXES = ["/gmail/v1/", "/calendar/v3/", "/drive/v3/", "/v1.0/"];

/** True for paths the fake resource APIs own. */
export function isApiPath(pathname: string): boolean {
  return API_PREFIXES.some((prefix) => pathname.startsWith(prefix));
}

/** The scope every API route requires on the generic profile. */
export const GENERIC_API_SCOPE = "api.read";

export interface ApiDeps {
  provider: Provider;
  profile: TestIdpProfile;
  apiBaseUrl: string;
  userData: Map<string, UserData>;
  stats: StatsRecorder;
  faults: FaultQueue;
}

function routesFor(profile: TestIdpProfile): ApiRoute[] {
  if (profile === "google") return [...gmailRoutes, ...calendarRoutes, ...driveRoutes];
  if (profile === "microsoft") return graphRoutes;
  return [...gmailRoutes, ...calendarRoutes, ...driveRoutes, ...graphRoutes].map((route) => ({
    ...route,
    scopes: [GENERIC_API_SCOPE],
  }));
}

function bearerChallenge(realm: string, error?: string, description?: string, scope?: string): string {
  const parts = [`Bearer realm="${realm}"`];
  if (error) parts.push(`error="${error}"`);
  if (description) parts.push(`error_description="${description}"`);
  if (scope) parts.push(`scope="${scope}"`);
  return parts.join(", ");
}

/**
 * The fake Gmail, Calendar, Drive and Graph APIs: route, count, apply injected faults, check the
 * bearer token (401 with `WWW-Authenticate`) and its scopes (403 `insufficient_scope`), answer.
 */
export function createApiHandler(deps: ApiDeps) {
  const routes = routesFor(deps.profile);
  const realm = deps.apiBaseUrl;

  function send(res: ServerResponse, result: ApiResult, headers: Record<string, string> = {}): void {
    sendJson(res, result.status, result.body, headers);
  }

  return async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      pathname = url.pathname;
    }
    const family: ApiFamily = pathname.startsWith("/v1.0/") ? "graph" : "google";
    let params: string[] = [];
    const route = routes.find((candidate) => {
      const match = candidate.pattern.exec(pathname);
      if (match) params = match.slice(1);
      return match !== null;
    });
    if (!route) {
      send(res, apiError(family, 404, `No fake API route for ${pathname}`));
      return;
    }
    if (req.method !== route.method) {
      send(res, apiError(family, 400, `Method ${req.method ?? ""} not supported`));
      return;
    }
    deps.stats.apiCall(route.name);

    const fault = deps.faults.take("api");
    if (fault?.kind === "http429") {
      const retryAfter = fault.retryAfter ?? 1;
      send(res, apiError(route.family, 429, "Rate limit exceeded (injected fault)."), {
        "retry-after": String(retryAfter),
      });
      return;
    }
    if (fault?.kind === "http500") {
      send(res, apiError(route.family, 500, "Internal error (injected fault)."));
      return;
    }
    if (fault?.kind === "slow") {
      const aborted = new AbortController();
      res.once("close", () => aborted.abort());
      await delay(fault.delayMs, aborted.signal);
      if (res.destroyed) return;
    }

    const authorization = req.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) {
      send(res, apiError(route.family, 401, "Request is missing required authentication credential."), {
        "www-authenticate": bearerChallenge(realm),
      });
      return;
    }
    const token = await deps.provider.AccessToken.find(match[1]!, { ignoreExpiration: true });
    if (!token || token.isExpired) {
      const description = token ? "The access token expired" : "Invalid access token";
      send(
        res,
        apiError(
          route.family,
          401,
          route.family === "graph"
            ? "Access token has expired or is not yet valid."
            : "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        ),
        { "www-authenticate": bearerChallenge(realm, "invalid_token", description) },
      );
      return;
    }
    const granted = token.scopes;
    if (!route.scopes.some((scope) => hasScope(granted, scope))) {
      const required = route.scopes[0]!;
      send(
        res,
        apiError(
          route.family,
          403,
          route.family === "graph"
            ? `Access is denied. Check credentials and try again. Missing scope: ${required}`
            : `Request had insufficient authentication scopes. Required scope: ${required}`,
        ),
        { "www-authenticate": bearerChallenge(realm, "insufficient_scope", undefined, required) },
      );
      return;
    }
    const data = token.accountId ? deps.userData.get(token.accountId) : undefined;
    if (!data) {
      send(res, apiError(route.family, 404, "No data for this account."));
      return;
    }
    send(res, route.handle({ url, params, data, apiBaseUrl: deps.apiBaseUrl }));
  };
}
