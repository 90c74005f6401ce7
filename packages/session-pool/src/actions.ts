import {
  AuthRequiredError,
  ConflictError,
  NotFoundError,
  parseOrThrow,
  ReauthRequiredError,
  ValidationError,
} from "@securecontext/protocol";
import type { AccessTokenService } from "./access-token";
import { createAuthorizedFetch } from "./authorized-fetch";
import { requireConnection } from "./connection-records";
import type { PoolContext } from "./context";
import type { ActionDefinition, OAuthProvider } from "./provider-contract";
import type { ActionRunInput, ActionService } from "./types";

/** Typed provider actions over a connection: scope check, input validation, authorized fetch. */
export function createActionService(context: PoolContext, tokens: AccessTokenService): ActionService {
  const { options } = context;

  const prepare = async (params: ActionRunInput) => {
    const record = await requireConnection(context, params.connectionId);
    const provider: OAuthProvider | undefined = options.providers.get(record.providerId);
    if (!provider) throw new NotFoundError(`provider "${record.providerId}" is not configured`);
    const action: ActionDefinition | undefined = provider.actions.find(
      (candidate) => candidate.id === params.actionId,
    );
    if (!action) {
      const elsewhere = options.providers.list().some((p) => p.actions.some((a) => a.id === params.actionId));
      if (elsewhere) {
        throw new ValidationError(
          `action ${params.actionId} does not belong to provider ${record.providerId}`,
          {
            field: "connectionId",
          },
        );
      }
      throw new NotFoundError(`unknown action ${params.actionId}`, { extra: { actionId: params.actionId } });
    }
    if (record.status === "revoked") {
      throw new ConflictError("connection was revoked; the person must connect again", {
        extra: { connectionId: record.id, connectionStatus: "revoked" },
      });
    }
    if (record.status === "needs_reauth") {
      throw new ReauthRequiredError("the connection needs the person to reconnect", {
        ...(record.statusReason ? { reason: record.statusReason.code } : {}),
        extra: { connectionId: record.id },
      });
    }
    // Compare through the provider's spelling (Graph's `Mail.Read` vs its full-URL form), so
    // connections stored before normalization still match.
    const normalize = (scope: string) => provider.normalizeScope?.(scope) ?? scope;
    const held = new Set(record.scopes.map(normalize));
    const missingScopes = action.requiredScopes.filter((scope) => !held.has(normalize(scope)));
    if (missingScopes.length > 0) {
      throw new AuthRequiredError(
        `the connection lacks scopes this action needs: ${missingScopes.join(" ")}`,
        {
          code: "insufficient_scope",
          providerId: provider.id,
          missingScopes,
        },
      );
    }
    const input = parseOrThrow(action.input, params.input, "input");
    const actionContext = {
      fetch: createAuthorizedFetch(context, tokens, record.id),
      apiBaseUrl: provider.apiBaseUrls[0] ?? "",
      ...(params.signal ? { signal: params.signal } : {}),
    };
    return { action, input, actionContext };
  };

  return {
    async run(params) {
      const { action, input, actionContext } = await prepare(params);
      return action.run(actionContext, input);
    },
    async *stream(params) {
      const { action, input, actionContext } = await prepare(params);
      if (action.stream) {
        yield* action.stream(actionContext, input);
        return;
      }
      yield await action.run(actionContext, input);
    },
    authorizedFetch(connectionId) {
      return createAuthorizedFetch(context, tokens, connectionId);
    },
  };
}
