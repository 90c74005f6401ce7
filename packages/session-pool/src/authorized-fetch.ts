import { ForbiddenError, TransportError } from "@securecontext/protocol";
import type { AccessTokenService } from "./access-token";
import { requireConnection } from "./connection-records";
import type { PoolContext } from "./context";
import type { AuthorizedFetch } from "./provider-contract";

/** True when `url` lies under one of `bases` (same origin, path prefix on a segment boundary). */
export function isAllowedUrl(url: URL, bases: readonly string[]): boolean {
  return bases.some((base) => {
    const allowed = new URL(base);
    if (allowed.origin !== url.origin) return false;
    const prefix = allowed.pathname.endsWith("/") ? allowed.pathname : `${allowed.pathname}/`;
    return url.pathname === allowed.pathname || url.pathname.startsWith(prefix) || prefix === "/";
  });
}

/**
 * `fetch` for one connection: adds `Authorization: Bearer <access token>` (refreshed when due), only
 * towards the provider's allow-listed API bases, and on a 401 refreshes once (only if no one else
 * already replaced that token) and retries once. A streamed request body cannot be replayed, so
 * such a request is not retried.
 */
export function createAuthorizedFetch(
  context: PoolContext,
  tokens: AccessTokenService,
  connectionId: string,
): AuthorizedFetch {
  return async (input, init = {}) => {
    const url = new URL(typeof input === "string" ? input : input.href);
    const record = await requireConnection(context, connectionId);
    const provider = context.options.providers.get(record.providerId);
    if (!provider || !isAllowedUrl(url, provider.apiBaseUrls)) {
      throw new ForbiddenError("refusing to send a connection's token outside its provider's API hosts", {
        extra: { connectionId, host: url.host },
      });
    }
    const signal = init.signal ?? undefined;
    const send = async (accessToken: string, tokenType: string) => {
      const headers = new Headers(init.headers);
      headers.set(
        "authorization",
        `${tokenType.toLowerCase() === "bearer" ? "Bearer" : tokenType} ${accessToken}`,
      );
      try {
        return await context.options.fetch(url, { ...init, headers });
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new TransportError(`request to ${url.host} failed`, { cause: error, extra: { connectionId } });
      }
    };
    const first = await tokens.getAccessToken(connectionId, signal ? { signal } : {});
    const response = await send(first.accessToken, first.tokenType);
    const replayable = !(init.body instanceof ReadableStream);
    if (response.status !== 401 || !replayable) return response;
    await response.body?.cancel().catch(() => {});
    const second = await tokens.replaceRejectedToken(connectionId, first.accessToken, signal);
    return send(second.accessToken, second.tokenType);
  };
}
