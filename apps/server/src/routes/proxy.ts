import { connectionIdSchema, ForbiddenError } from "@securecontext/protocol";
import type { Context, Hono } from "hono";
import { requireCaller } from "../http/auth";
import { readBodyBytes, readParam } from "../http/body";
import type { AppEnv } from "../http/context";
import type { AppDeps } from "../http/deps";
import { requestHeader } from "../http/request-header";
import { requestSignal } from "../http/request-signal";
import { buildProxyUrl, selectProxyBase } from "./proxy-url";
import { aboutConnection, recordAudit, visibleConnection } from "./shared";

/** Request headers never forwarded upstream (credentials, hop-by-hop, our own). */
const DROP_REQUEST_HEADERS = new Set([
  "authorization",
  "cookie",
  "host",
  "connection",
  "keep-alive",
  "proxy-authorization",
  "proxy-authenticate",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "content-length",
  "accept-encoding",
  "scp-proxy-base",
  "x-request-id",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "origin",
  "referer",
]);

/**
 * Response headers not passed back (hop-by-hop, cookies of the provider, framing we recompute, and
 * names the server sets itself: its request id and rate-limit fields describe SCP, not the provider).
 */
const DROP_RESPONSE_HEADERS = new Set([
  "x-request-id",
  "ratelimit-limit",
  "ratelimit-remaining",
  "ratelimit-reset",
  "ratelimit-policy",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "trailer",
  "proxy-authenticate",
  "content-encoding",
  "content-length",
  "set-cookie",
  "www-authenticate",
]);

function rawPathOf(c: Context<AppEnv>): string {
  // The raw request target as the client sent it (before URL normalization resolved `..`).
  const raw = c.env?.incoming?.url ?? new URL(c.req.url).pathname + new URL(c.req.url).search;
  return raw;
}

/** `ANY /v1/proxy/:connectionId/*`: forwards to the provider's API base with the connection's token. */
export function registerProxyRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.all("/v1/proxy/:connectionId/*", async (c) => {
    const caller = requireCaller(c, "admin", "client", "session");
    const connectionId = readParam(c, "connectionId", connectionIdSchema);
    const connection = await visibleConnection(deps, caller, connectionId);
    if (connection.status === "revoked") throw new ForbiddenError("This connection was revoked");
    const provider = deps.providers.get(connection.providerId);
    if (!provider) throw new ForbiddenError("The connection's provider is no longer configured");

    const rawTarget = rawPathOf(c);
    const queryIndex = rawTarget.indexOf("?");
    const rawPath = queryIndex === -1 ? rawTarget : rawTarget.slice(0, queryIndex);
    const search = queryIndex === -1 ? "" : rawTarget.slice(queryIndex);
    const prefix = `/v1/proxy/${connectionId}/`;
    const rest = rawPath.startsWith(prefix) ? rawPath.slice(prefix.length) : "";
    const base = selectProxyBase(provider.apiBaseUrls, requestHeader(c, "scp-proxy-base"));
    const target = buildProxyUrl(base, rest, search);

    const headers = new Headers();
    c.req.raw.headers.forEach((value, name) => {
      if (!DROP_REQUEST_HEADERS.has(name.toLowerCase())) headers.set(name, value);
    });
    const method = c.req.method.toUpperCase();
    // Buffered (≤ 1 MiB) so the one retry after a refresh can resend it.
    const body = method === "GET" || method === "HEAD" ? undefined : await readBodyBytes(c);

    const authorizedFetch = deps.pool.actions.authorizedFetch(connection.id);
    const started = Date.now();
    let upstream: Response;
    try {
      upstream = await authorizedFetch(target, {
        method,
        headers,
        ...(body && body.byteLength > 0 ? { body: body as Uint8Array<ArrayBuffer> } : {}),
        redirect: "manual",
        signal: requestSignal(c),
      });
    } catch (error) {
      recordAudit(c, deps, {
        type: "proxy.called",
        outcome: "failure",
        ...aboutConnection(connection),
        detail: { method, host: target.host, path: target.pathname.slice(0, 200) },
      });
      throw error;
    }
    recordAudit(c, deps, {
      type: "proxy.called",
      outcome: upstream.ok ? "success" : "failure",
      ...aboutConnection(connection),
      detail: {
        method,
        host: target.host,
        path: target.pathname.slice(0, 200),
        status: upstream.status,
        ms: Date.now() - started,
      },
    });
    const responseHeaders = new Headers();
    upstream.headers.forEach((value, name) => {
      if (!DROP_RESPONSE_HEADERS.has(name.toLowerCase())) responseHeaders.set(name, value);
    });
    responseHeaders.set("Cache-Control", upstream.headers.get("cache-control") ?? "no-store");
    responseHeaders.set("X-Content-Type-Options", "nosniff");
    const nullBody = method === "HEAD" || upstream.status === 204 || upstream.status === 304;
    return new Response(nullBody ? null : upstream.body, {
      status: upstream.status,
      headers: responseHeaders,
    });
  });
}
