import {
  AuthRequiredError,
  type Connection,
  ForbiddenError,
  isScpError,
  NotFoundError,
  ReauthRequiredError,
  ValidationError,
} from "@securecontext/protocol";
import type { ActionDefinition } from "@securecontext/providers";
import type { Caller } from "@securecontext/session-pool";
import type { Context } from "hono";
import type { AppEnv } from "../http/context";
import { clientIdOf } from "../http/context";
import type { AppDeps } from "../http/deps";
import { createConnectRequest, visibleConnection } from "./shared";

/** Finds an action by id across every configured provider. */
export function findAction(deps: AppDeps, actionId: string): ActionDefinition {
  for (const provider of deps.providers.values()) {
    const action = provider.actions.find((candidate) => candidate.id === actionId);
    if (action) return action;
  }
  throw new NotFoundError(`Unknown action "${actionId}"`);
}

/**
 * Scopes of `required` that `held` lacks, compared in the provider's canonical spelling (Microsoft
 * Graph: `Mail.Read` and `https://graph.microsoft.com/Mail.Read` are one scope).
 */
export function missingScopes(
  required: string[],
  held: string[],
  normalize: (scope: string) => string = (scope) => scope,
): string[] {
  const have = new Set(held.map(normalize));
  return required.filter((scope) => !have.has(normalize(scope)));
}

/** The provider's scope normalizer (identity when it has none). */
function scopeNormalizer(deps: AppDeps, providerId: string): (scope: string) => string {
  const provider = deps.providers.get(providerId);
  return (scope) => provider?.normalizeScope?.(scope) ?? scope;
}

async function connectUrlFor(
  c: Context<AppEnv>,
  deps: AppDeps,
  caller: Caller,
  userId: string,
  providerId: string,
  scopes: string[],
): Promise<string> {
  const request = await createConnectRequest(
    c,
    deps,
    clientIdOf(caller),
    { userId, providerId, scopes },
    "action_auth_required",
  );
  return request.url;
}

/**
 * Picks the connection an action call runs on and checks it holds the action's scopes. With no
 * usable connection it throws 403 `auth_required` / `insufficient_scope` / 409 `reauth_required`
 * carrying `connectUrl`: a fresh connect request for exactly the missing scopes.
 */
export async function resolveActionConnection(
  c: Context<AppEnv>,
  deps: AppDeps,
  caller: Caller,
  action: ActionDefinition,
  body: { connectionId?: string | undefined; userId?: string | undefined },
): Promise<Connection> {
  let userId: string;
  let candidates: Connection[];
  if (caller.kind === "session") {
    userId = caller.session.userId;
    if (body.userId && body.userId !== userId) {
      throw new ValidationError("body.userId: a session acts only for its own user", {
        field: "body.userId",
      });
    }
  } else {
    if (!body.userId && !body.connectionId) {
      throw new ValidationError(
        "body.userId: required when an admin or client calls an action without connectionId",
        {
          field: "body.userId",
        },
      );
    }
    userId = body.userId ?? "";
  }
  if (body.connectionId) {
    const connection = await visibleConnection(deps, caller, body.connectionId);
    if (connection.providerId !== action.providerId) {
      throw new ValidationError(
        `body.connectionId: action ${action.id} needs a ${action.providerId} connection`,
        {
          field: "body.connectionId",
        },
      );
    }
    if (body.userId && connection.userId !== body.userId)
      throw new NotFoundError(`Connection ${body.connectionId} not found`);
    userId = connection.userId;
    candidates = [connection];
  } else if (caller.kind === "session") {
    candidates =
      caller.session.connectionIds.length === 0
        ? []
        : (
            await deps.pool.connections.list({
              ids: caller.session.connectionIds,
              userId,
              providerId: action.providerId,
              limit: 200,
            })
          ).items;
  } else {
    candidates = (
      await deps.pool.connections.list({
        userId,
        providerId: action.providerId,
        ...(caller.kind === "client" ? { clientId: caller.clientId } : {}),
        limit: 200,
      })
    ).items;
  }

  const normalize = scopeNormalizer(deps, action.providerId);
  const live = candidates.filter((connection) => connection.status !== "revoked");
  const active = live.filter((connection) => connection.status === "active");
  const complete = active.find(
    (connection) => missingScopes(action.requiredScopes, connection.scopes, normalize).length === 0,
  );

  if (caller.kind === "session" && complete) {
    const notInSession =
      caller.session.scopes.length > 0
        ? missingScopes(action.requiredScopes, caller.session.scopes, normalize)
        : [];
    if (notInSession.length > 0) {
      throw new ForbiddenError(`This session was not granted ${notInSession.join(", ")}`, {
        extra: { missingScopes: notInSession },
      });
    }
  }
  if (complete) return complete;

  if (active.length > 0) {
    // Connected, but without every scope the action needs: ask for exactly what is missing.
    const best = active[0] as Connection;
    const missing = missingScopes(action.requiredScopes, best.scopes, normalize);
    throw new AuthRequiredError(
      `The ${action.providerId} connection lacks ${missing.join(", ")} needed by ${action.id}`,
      {
        code: "insufficient_scope",
        providerId: action.providerId,
        missingScopes: missing,
        connectUrl: await connectUrlFor(c, deps, caller, userId, action.providerId, missing),
      },
    );
  }
  if (live.length > 0) {
    const connection = live[0] as Connection;
    throw new ReauthRequiredError(`The ${action.providerId} connection needs the person to reconnect`, {
      ...(connection.statusReason ? { reason: connection.statusReason.code } : {}),
      connectUrl: await connectUrlFor(c, deps, caller, userId, action.providerId, action.requiredScopes),
      extra: { connectionId: connection.id },
    });
  }
  throw new AuthRequiredError(`No ${action.providerId} connection for this user; connect one first`, {
    code: "auth_required",
    providerId: action.providerId,
    missingScopes: action.requiredScopes,
    connectUrl: await connectUrlFor(c, deps, caller, userId, action.providerId, action.requiredScopes),
  });
}

/** Adds a `connectUrl` to auth errors the pool raised while running (for example a refresh that needs the person). */
export async function withConnectUrl(
  c: Context<AppEnv>,
  deps: AppDeps,
  caller: Caller,
  connection: Connection,
  action: ActionDefinition,
  error: unknown,
): Promise<unknown> {
  if (!isScpError(error)) return error;
  if (error.extra.connectUrl) return error;
  if (
    error.code === "auth_required" ||
    error.code === "insufficient_scope" ||
    error.code === "reauth_required"
  ) {
    const missing =
      error instanceof AuthRequiredError && error.missingScopes.length
        ? error.missingScopes
        : action.requiredScopes;
    const connectUrl = await connectUrlFor(
      c,
      deps,
      caller,
      connection.userId,
      connection.providerId,
      missing,
    );
    return Object.assign(error, { extra: { ...error.extra, connectUrl } });
  }
  return error;
}
