import {
  type ConnectRequest,
  connectRequestIdSchema,
  NotFoundError,
  ScpError,
} from "@securecontext/protocol";
import { ConnectFlowError } from "@securecontext/session-pool";
import type { Context, Hono } from "hono";
import { demoResultExtra } from "../demo/pages";
import { readForm } from "../http/body";
import { assertCsrf, browserBinding, csrfToken, ensureBrowserBinding } from "../http/browser";
import type { AppEnv } from "../http/context";
import type { AppDeps } from "../http/deps";
import { seeOther, sendPage } from "../http/security-headers";
import { consentPage } from "../pages/consent";
import { raw } from "../pages/layout";
import { messagePage, resultPage } from "../pages/result";
import { pageRoute } from "./pages";
import { connectRequestOwner, recordAudit } from "./shared";

/** The client that owns a connect request (`null`: admin, demo, or no longer known). */
async function requestOwner(deps: AppDeps, id: string): Promise<string | null> {
  return (await connectRequestOwner(deps, id)) ?? null;
}

/** Name shown for the party behind a connect request. */
async function requesterName(deps: AppDeps, id: string): Promise<string> {
  const owner = await connectRequestOwner(deps, id);
  if (owner) return (await deps.clients.get(owner))?.name ?? "An application";
  return deps.demo ? "SecureContext demo agent" : "The SecureContext administrator";
}

async function pendingRequest(deps: AppDeps, rawId: string): Promise<ConnectRequest> {
  const parsed = connectRequestIdSchema.safeParse(rawId);
  const request = parsed.success ? await deps.pool.connect.get(parsed.data) : undefined;
  if (!request) throw new NotFoundError("This connect link is not valid.");
  if (request.status === "pending" && Date.parse(request.expiresAt) <= Date.now()) {
    throw new ScpError("This connect link has expired. Ask the application for a new one.", {
      code: "not_found",
      status: 410,
    });
  }
  if (request.status === "expired") {
    throw new ScpError("This connect link has expired. Ask the application for a new one.", {
      code: "not_found",
      status: 410,
    });
  }
  if (request.status !== "pending") {
    throw new ScpError(`This connect request is already ${request.status}.`, { code: "conflict" });
  }
  return request;
}

/** Builds the 303 target on the client's `redirectUrl` with the outcome in the query. */
export function redirectWithOutcome(request: ConnectRequest): string | undefined {
  if (!request.redirectUrl) return undefined;
  const url = new URL(request.redirectUrl);
  url.searchParams.set("connect_request_id", request.id);
  url.searchParams.set("status", request.status === "completed" ? "completed" : "failed");
  if (request.status === "completed" && request.connectionId)
    url.searchParams.set("connection_id", request.connectionId);
  if (request.status !== "completed") url.searchParams.set("error", request.error ?? "server_error");
  return url.toString();
}

function secureCookies(deps: AppDeps): boolean {
  return deps.baseUrl.startsWith("https:");
}

/** Consent page, approve/deny forms, and the one OAuth callback. */
export function registerConnectPages(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get(
    "/connect/:id",
    pageRoute(deps, async (c) => {
      const request = await pendingRequest(deps, c.req.param("id") ?? "");
      const provider = deps.providers.get(request.providerId);
      if (!provider) throw new NotFoundError("The provider of this request is no longer configured.");
      const binding = ensureBrowserBinding(c, secureCookies(deps));
      const scopes = [...new Set([...provider.defaultScopes, ...request.scopes])];
      return sendPage(
        c,
        consentPage({
          connectRequestId: request.id,
          clientName: await requesterName(deps, request.id),
          ...(request.agentId ? { agentId: request.agentId } : {}),
          providerName: provider.displayName,
          userId: request.userId,
          scopes: scopes.map((scope) => ({ scope, description: provider.describeScope(scope) })),
          csrf: csrfToken(deps.csrfKey, binding, `connect:${request.id}`),
          expiresAt: request.expiresAt,
          demo: Boolean(deps.demo),
        }),
      );
    }),
  );

  app.post(
    "/connect/:id/approve",
    pageRoute(deps, async (c) => {
      const form = await readForm(c);
      const binding = browserBinding(c);
      const request = await pendingRequest(deps, c.req.param("id") ?? "");
      assertCsrf(deps.csrfKey, binding, `connect:${request.id}`, form.get("csrf"));
      const authorizationUrl = await deps.pool.connect.begin(request.id, binding as string);
      recordAudit(c, deps, {
        type: "connect_request.approved",
        actor: "user",
        outcome: "success",
        userId: request.userId,
        clientId: await requestOwner(deps, request.id),
        detail: { connectRequestId: request.id, providerId: request.providerId },
      });
      return seeOther(c, authorizationUrl.toString());
    }),
  );

  app.post(
    "/connect/:id/deny",
    pageRoute(deps, async (c) => {
      const form = await readForm(c);
      const binding = browserBinding(c);
      const pending = await pendingRequest(deps, c.req.param("id") ?? "");
      assertCsrf(deps.csrfKey, binding, `connect:${pending.id}`, form.get("csrf"));
      const request = await deps.pool.connect.deny(pending.id);
      recordAudit(c, deps, {
        type: "connect_request.failed",
        actor: "user",
        outcome: "denied",
        userId: request.userId,
        clientId: await requestOwner(deps, request.id),
        detail: { connectRequestId: request.id, providerId: request.providerId, error: "access_denied" },
      });
      const target = redirectWithOutcome(request);
      if (target) return seeOther(c, target);
      return sendPage(
        c,
        resultPage({
          ok: false,
          error: "access_denied",
          message: "You denied the request. Nothing was connected.",
          demo: Boolean(deps.demo),
        }),
      );
    }),
  );

  app.get(
    "/oauth/callback",
    pageRoute(deps, async (c) => handleCallback(c, deps)),
  );
}

async function handleCallback(c: Context<AppEnv>, deps: AppDeps): Promise<Response> {
  const incoming = new URL(c.req.url);
  const callbackUrl = new URL(`${deps.baseUrl}/oauth/callback`);
  callbackUrl.search = incoming.search;
  let request: ConnectRequest;
  try {
    request = await deps.pool.connect.complete(callbackUrl, browserBinding(c));
  } catch (error) {
    // A callback tied to a known request (expired, already finished) is that request's client's business.
    const known = error instanceof ConnectFlowError ? error.connectRequest : undefined;
    recordAudit(c, deps, {
      type: "connect_request.failed",
      actor: "user",
      outcome: "failure",
      ...(known ? { userId: known.userId } : {}),
      clientId: known ? await requestOwner(deps, known.id) : null,
      detail: {
        error: error instanceof ScpError ? error.code : "internal",
        reason: error instanceof ConnectFlowError ? error.reason : "callback_rejected",
        ...(known ? { connectRequestId: known.id, providerId: known.providerId } : {}),
      },
    });
    const message =
      error instanceof ScpError && error.status < 500
        ? error.message
        : "The provider's answer could not be verified. Start again from the application.";
    return sendPage(
      c,
      messagePage("Not connected", message, Boolean(deps.demo)),
      error instanceof ScpError && error.status < 500 ? 400 : 500,
    );
  }
  const completed = request.status === "completed";
  recordAudit(c, deps, {
    type: completed ? "connect_request.completed" : "connect_request.failed",
    actor: "user",
    outcome: completed ? "success" : "failure",
    userId: request.userId,
    clientId: await requestOwner(deps, request.id),
    ...(request.connectionId ? { connectionId: request.connectionId } : {}),
    detail: {
      connectRequestId: request.id,
      providerId: request.providerId,
      ...(request.error ? { error: request.error } : {}),
    },
  });
  const target = redirectWithOutcome(request);
  if (target) return seeOther(c, target);
  const provider = deps.providers.get(request.providerId);
  if (!completed || !request.connectionId) {
    return sendPage(
      c,
      resultPage({
        ok: false,
        error: request.error ?? "server_error",
        message:
          request.error === "access_denied"
            ? "Access was denied at the provider. Nothing was connected."
            : "The connection could not be completed.",
        demo: Boolean(deps.demo),
      }),
      400,
    );
  }
  const connection = await deps.pool.connections.get(request.connectionId);
  const binding = browserBinding(c);
  return sendPage(
    c,
    resultPage({
      ok: true,
      providerName: provider?.displayName ?? request.providerId,
      ...(connection ? { account: connection.account } : {}),
      clientName: await requesterName(deps, request.id),
      demo: Boolean(deps.demo),
      ...(deps.demo && connection && binding
        ? { extra: demoResultExtra(deps, connection, binding) }
        : { extra: raw("") }),
    }),
  );
}
