import type { AccessTokenResponse, StatusReason, TokenSet } from "@securecontext/protocol";
import {
  isScpError,
  NotFoundError,
  ReauthRequiredError,
  StoreError,
  TransportError,
} from "@securecontext/protocol";
import type { StoredRecord } from "@securecontext/token-store";
import {
  assertUsable,
  type ConnectionRecord,
  notFound,
  ownershipOf,
  requireConnection,
  toConnection,
  updateConnection,
} from "./connection-records";
import type { PoolContext } from "./context";
import { describe } from "./events";
import { type HeldLease, tryAcquireLease } from "./lease";
import type { FailureClassification, OAuthProvider } from "./provider-contract";
import { backoffDelay, iso, singleFlight, sleep } from "./timing";
import { readTokenSet, replaceTokenSet } from "./token-vault";
import type { GetAccessTokenOptions } from "./types";

/** An access token counts as usable by a late caller while it lives at least this long. */
const MIN_REMAINING_MS = 1_000;

interface RefreshRequest {
  connectionId: string;
  /** The access token the caller saw (forceRefresh: replace only this one). */
  observed: string | undefined;
  force: boolean;
  minValidityMs: number;
  signal: AbortSignal | undefined;
}

export interface AccessTokenService {
  getAccessToken(connectionId: string, options?: GetAccessTokenOptions): Promise<AccessTokenResponse>;
  /** Refreshes only if `failedAccessToken` is still the stored one (a 401 retry); returns the current token. */
  replaceRejectedToken(
    connectionId: string,
    failedAccessToken: string,
    signal?: AbortSignal,
  ): Promise<AccessTokenResponse>;
}

/**
 * Exactly-once refresh per expiry across processes:
 * 1. single-flight per connection in this process;
 * 2. a lease in the store (`SET NX PX` semantics), renewed while held; others poll with back-off,
 *    re-reading the token set, and return a token another holder stored;
 * 3. under the lease, re-read the token set: if another process refreshed, return that;
 * 4. call `provider.refresh` (transient failures retried with bounded back-off);
 * 5. compare-and-set the new set on the version read under the lease — the new (or kept) refresh
 *    token is stored before any caller sees the new access token;
 * 6. release the lease by owner token.
 */
export function createAccessTokenService(context: PoolContext): AccessTokenService {
  const { options, keys, events } = context;
  const flights = singleFlight<AccessTokenResponse>();
  /**
   * Token sets a provider issued that could not be stored (store outage after a rotation). Kept in
   * memory and stored by the next refresh under the lease instead of calling the provider again
   * with the rotated-away refresh token.
   */
  const unstored = new Map<string, { previousRefreshToken: string | undefined; tokenSet: TokenSet }>();

  const providerOf = (record: ConnectionRecord): OAuthProvider => {
    const provider = options.providers.get(record.providerId);
    if (!provider) {
      throw new NotFoundError(`provider "${record.providerId}" is not configured`, {
        extra: { providerId: record.providerId },
      });
    }
    return provider;
  };

  const isFresh = (set: TokenSet, minValidityMs: number): boolean => {
    if (set.expiresAt === undefined) return true;
    // A token that lives shorter than the skew would otherwise be refreshed on every call.
    const lifetime = Math.max(0, set.expiresAt - set.obtainedAt);
    const skew = Math.min(minValidityMs, lifetime / 2);
    return set.expiresAt - options.now() > skew;
  };
  const isAlive = (set: TokenSet) =>
    set.expiresAt === undefined || set.expiresAt - options.now() > MIN_REMAINING_MS;
  /** Another process replaced the token the caller saw with one still alive. */
  const replacedByOther = (set: TokenSet, request: RefreshRequest) =>
    request.observed !== undefined && set.accessToken !== request.observed && isAlive(set);

  const markNeedsReauth = async (
    record: ConnectionRecord,
    classification: Pick<FailureClassification, "reason" | "hint">,
  ) => {
    const reason: StatusReason = {
      code: classification.reason,
      hint: classification.hint,
      at: iso(options.now()),
    };
    try {
      const { before, after } = await updateConnection(context, record.id, (current) => {
        if (current.status === "revoked") return undefined;
        return { ...current, status: "needs_reauth", statusReason: reason, updatedAt: options.now() };
      });
      if (before.status !== "needs_reauth" && after.status === "needs_reauth") {
        events.emit({ type: "connection.needs_reauth", connection: toConnection(after) });
      }
    } catch (error) {
      options.logger.error("could not mark connection needs_reauth", {
        connectionId: record.id,
        error: describe(error),
      });
    }
    return new ReauthRequiredError(`the connection needs the person to reconnect: ${classification.hint}`, {
      reason: classification.reason,
      extra: { connectionId: record.id, hint: classification.hint },
    });
  };

  const reauthErrorFor = (record: ConnectionRecord) =>
    new ReauthRequiredError(
      `the connection needs the person to reconnect${record.statusReason ? `: ${record.statusReason.hint}` : ""}`,
      {
        ...(record.statusReason ? { reason: record.statusReason.code } : {}),
        extra: {
          connectionId: record.id,
          ...(record.statusReason ? { hint: record.statusReason.hint } : {}),
        },
      },
    );

  const classify = (provider: OAuthProvider, error: unknown): FailureClassification => {
    try {
      return provider.classifyError(error);
    } catch {
      return { kind: "transient", reason: "unknown", hint: "The provider could not be reached; try again." };
    }
  };

  const callProvider = async (
    record: ConnectionRecord,
    provider: OAuthProvider,
    refreshToken: string,
    held: HeldLease,
  ): Promise<TokenSet> => {
    const { attempts, baseDelayMs, maxDelayMs } = options.refreshRetry;
    for (let attempt = 0; ; attempt++) {
      try {
        return await provider.refresh({ refreshToken });
      } catch (error) {
        const classification = classify(provider, error);
        if (classification.kind === "reauth") {
          events.emit({
            type: "connection.refresh_failed",
            connectionId: record.id,
            transient: false,
            reason: classification.reason,
          });
          throw await markNeedsReauth(record, classification);
        }
        if (attempt + 1 >= attempts || !held.owned) {
          events.emit({
            type: "connection.refresh_failed",
            connectionId: record.id,
            transient: true,
            reason: classification.reason,
          });
          if (isScpError(error)) throw error;
          throw new TransportError("the provider could not refresh the token; try again later", {
            cause: error,
            extra: { connectionId: record.id },
          });
        }
        options.logger.warn("transient refresh failure; retrying", {
          connectionId: record.id,
          attempt: attempt + 1,
          error: describe(error),
        });
        await sleep(backoffDelay(attempt, baseDelayMs, maxDelayMs));
      }
    }
  };

  /** Stores `next` over the set read under the lease; retries a store outage for a while. */
  const persist = async (
    connectionId: string,
    base: StoredRecord<TokenSet>,
    next: TokenSet,
  ): Promise<StoredRecord<TokenSet>> => {
    let expected = base;
    for (let attempt = 0; attempt < 6; attempt++) {
      try {
        const written = await replaceTokenSet(context, connectionId, expected.version, next);
        if (written) return written;
        // The version moved: a lazy re-encryption (same content) or a reconnect (new grant).
        const current = await readTokenSet(context, connectionId);
        if (!current)
          throw new StoreError("the token set vanished during refresh", { extra: { connectionId } });
        if (current.value.refreshToken !== base.value.refreshToken) {
          options.logger.warn("token set replaced during refresh (reconnect); keeping the newer grant", {
            connectionId,
          });
          return current;
        }
        expected = current;
      } catch (error) {
        if (attempt === 5) throw error;
        await sleep(backoffDelay(attempt, 100, 1_000));
      }
    }
    throw new StoreError("could not store the refreshed token set", { extra: { connectionId } });
  };

  const refreshUnderLease = async (request: RefreshRequest, held: HeldLease): Promise<TokenSet> => {
    const { connectionId } = request;
    const stored = await readTokenSet(context, connectionId);
    const record = await requireConnection(context, connectionId);
    assertUsable(record);
    if (!stored) throw await markNeedsReauth(record, missingTokens);
    if (replacedByOther(stored.value, request)) return stored.value;
    if (!request.force && isFresh(stored.value, request.minValidityMs)) return stored.value;
    if (record.status === "needs_reauth") throw reauthErrorFor(record);

    let next: TokenSet;
    const pending = unstored.get(connectionId);
    if (pending && pending.previousRefreshToken === stored.value.refreshToken) {
      next = pending.tokenSet;
    } else {
      const refreshToken = stored.value.refreshToken;
      if (!refreshToken) throw await markNeedsReauth(record, noRefreshToken);
      const provider = providerOf(record);
      const issued = await callProvider(record, provider, refreshToken, held);
      next = {
        accessToken: issued.accessToken,
        tokenType: issued.tokenType || stored.value.tokenType,
        // Providers that do not rotate return no refresh token: keep the one that still works.
        refreshToken: issued.refreshToken ?? refreshToken,
        ...((issued.idToken ?? stored.value.idToken)
          ? { idToken: issued.idToken ?? stored.value.idToken }
          : {}),
        ...(issued.expiresAt !== undefined ? { expiresAt: issued.expiresAt } : {}),
        scopes: issued.scopes.length > 0 ? issued.scopes : stored.value.scopes,
        obtainedAt: issued.obtainedAt || options.now(),
      };
    }
    let written: StoredRecord<TokenSet>;
    try {
      written = await persist(connectionId, stored, next);
      unstored.delete(connectionId);
    } catch (error) {
      unstored.set(connectionId, { previousRefreshToken: stored.value.refreshToken, tokenSet: next });
      options.logger.error("refreshed token set could not be stored; kept in memory for the next attempt", {
        connectionId,
        error: describe(error),
      });
      throw error;
    }
    const now = options.now();
    try {
      const { before, after } = await updateConnection(context, connectionId, (current) => {
        if (current.status === "revoked") return undefined;
        const { statusReason: _cleared, accessTokenExpiresAt: _old, ...rest } = current;
        return {
          ...rest,
          status: "active",
          scopes: written.value.scopes.length > 0 ? [...written.value.scopes] : current.scopes,
          updatedAt: now,
          lastRefreshedAt: now,
          ...(written.value.expiresAt !== undefined ? { accessTokenExpiresAt: written.value.expiresAt } : {}),
        };
      });
      events.emit({ type: "connection.refreshed", connectionId });
      if (before.status === "needs_reauth" && after.status === "active") {
        events.emit({ type: "connection.recovered", connection: toConnection(after) });
      }
    } catch (error) {
      // The tokens are stored; only the metadata lags behind.
      options.logger.warn("could not update connection metadata after refresh", {
        connectionId,
        error: describe(error),
      });
      events.emit({ type: "connection.refreshed", connectionId });
    }
    return written.value;
  };

  const refresh = async (request: RefreshRequest): Promise<AccessTokenResponse> => {
    const deadline = options.now() + options.refreshWaitMs;
    const lockKey = keys.refreshLock(request.connectionId);
    let delay = 10;
    for (;;) {
      const held = await tryAcquireLease(context, lockKey, options.lockTtlMs);
      if (held) {
        try {
          return toResponse(await refreshUnderLease(request, held));
        } finally {
          await held.release();
        }
      }
      // Another process is refreshing: wait for its result instead of refreshing again.
      await sleep(delay + Math.random() * delay, request.signal);
      delay = Math.min(delay * 2, 200);
      const latest = await readTokenSet(context, request.connectionId);
      if (latest && replacedByOther(latest.value, request)) return toResponse(latest.value);
      if (latest && !request.force && isFresh(latest.value, request.minValidityMs))
        return toResponse(latest.value);
      const record = await requireConnection(context, request.connectionId);
      assertUsable(record);
      if (record.status === "needs_reauth") throw reauthErrorFor(record);
      if (options.now() >= deadline) {
        throw new StoreError("timed out waiting for another process to refresh the token", {
          extra: { connectionId: request.connectionId },
        });
      }
    }
  };

  const start = async (
    connectionId: string,
    force: boolean,
    minValidityMs: number,
    callerOptions: Pick<GetAccessTokenOptions, "signal" | "authorize">,
    failedAccessToken?: string,
  ): Promise<AccessTokenResponse> => {
    const record = await requireConnection(context, connectionId);
    if (callerOptions.authorize && !callerOptions.authorize(ownershipOf(record)))
      throw notFound(connectionId);
    assertUsable(record);
    if (record.status === "needs_reauth") throw reauthErrorFor(record);
    const stored = await readTokenSet(context, connectionId);
    if (!stored) throw await markNeedsReauth(record, missingTokens);
    if (
      failedAccessToken !== undefined &&
      stored.value.accessToken !== failedAccessToken &&
      isAlive(stored.value)
    ) {
      return toResponse(stored.value);
    }
    if (!force && isFresh(stored.value, minValidityMs)) return toResponse(stored.value);
    return flights(connectionId, () =>
      refresh({
        connectionId,
        observed: failedAccessToken ?? stored.value.accessToken,
        force,
        minValidityMs,
        // Read here, not up front: building a request's signal costs more than the warm path.
        signal: callerOptions.signal,
      }),
    );
  };

  return {
    getAccessToken(connectionId, getOptions = {}) {
      return start(
        connectionId,
        getOptions.forceRefresh ?? false,
        getOptions.minValidityMs ?? options.refreshSkewMs,
        getOptions,
      );
    },
    replaceRejectedToken(connectionId, failedAccessToken, signal) {
      return start(connectionId, true, options.refreshSkewMs, { signal }, failedAccessToken);
    },
  };
}

const missingTokens = {
  reason: "unknown",
  hint: "The stored credentials for this account are missing. Connect the account again.",
} as const;
const noRefreshToken = {
  reason: "refresh_token_expired",
  hint: "The provider gave no refresh token, and the access token has expired. Connect the account again.",
} as const;

export function toResponse(set: TokenSet): AccessTokenResponse {
  return {
    accessToken: set.accessToken,
    tokenType: set.tokenType,
    expiresAt: set.expiresAt !== undefined ? iso(set.expiresAt) : null,
    scopes: [...set.scopes],
  };
}
