import type { Connection, ConnectionStatus, StatusReason, TokenSet } from "@securecontext/protocol";
import { ConflictError, newId, StoreError, ValidationError } from "@securecontext/protocol";
import {
  type ConnectionRecord,
  readConnection,
  requireConnection,
  toConnection,
  updateConnection,
} from "./connection-records";
import type { PoolContext } from "./context";
import { describe } from "./events";
import { acquireLease, type HeldLease } from "./lease";
import { pageFromIds, pageFromIndex } from "./paging";
import { sleep } from "./timing";
import { eraseTokenSet, readTokenSet, writeTokenSet } from "./token-vault";
import type { ConnectionListFilter, ConnectionService, CreateConnectionInput } from "./types";

interface AccountPointer {
  id: string;
  /** Epoch ms of the claim: a pointer whose connection is still missing after a while is dangling. */
  at: number;
}

/** How long a freshly claimed account pointer may point at a connection still being written. */
const CLAIM_GRACE_MS = 10_000;

/** Connections: metadata records, encrypted token sets, indexes by user / client / all. */
export function createConnectionService(context: PoolContext): ConnectionService {
  const { store, keys, events, options } = context;

  const writeIndexes = async (record: ConnectionRecord) => {
    const index = keys.connectionIndex;
    const entry = { id: record.id };
    await Promise.all(
      [index.byUser(record.userId), index.byClient(record.clientId), index.all()].map((prefix) =>
        store.records.set(index.entry(prefix, record.createdAt, record.id), entry),
      ),
    );
  };

  /** Same user + provider + account + client: new tokens on the existing connection. */
  const refreshExisting = async (
    existing: ConnectionRecord,
    input: CreateConnectionInput,
  ): Promise<Connection> => {
    const now = options.now();
    await writeTokenSet(context, existing.id, input.tokenSet);
    const { before, after } = await updateConnection(context, existing.id, (current) => {
      const { statusReason: _dropped, ...rest } = current;
      return {
        ...rest,
        account: { ...input.account },
        scopes: grantedScopes(input.tokenSet, current.scopes),
        status: "active",
        updatedAt: now,
        lastRefreshedAt: now,
        ...(input.tokenSet.expiresAt !== undefined ? { accessTokenExpiresAt: input.tokenSet.expiresAt } : {}),
      };
    });
    const connection = toConnection(after);
    if (before.status === "needs_reauth") events.emit({ type: "connection.recovered", connection });
    return connection;
  };

  const service: ConnectionService = {
    async create(input) {
      if (!options.providers.get(input.providerId)) {
        throw new ValidationError(`unknown provider "${input.providerId}"`, { field: "providerId" });
      }
      const pointerKey = keys.accountPointer(
        input.userId,
        input.providerId,
        input.account.subject,
        input.clientId,
      );
      for (let attempt = 0; attempt < 100; attempt++) {
        const pointer = await store.records.get<AccountPointer>(pointerKey);
        if (pointer) {
          const existing = await readConnection(context, pointer.value.id);
          if (existing && existing.value.status !== "revoked") return refreshExisting(existing.value, input);
          if (!existing && options.now() - (pointer.value.at ?? 0) < CLAIM_GRACE_MS) {
            // Another creator claimed the account and is still writing the connection.
            await sleep(10 + Math.random() * 20);
            continue;
          }
        }
        const now = options.now();
        const record: ConnectionRecord = {
          id: newId("connection"),
          userId: input.userId,
          providerId: input.providerId,
          clientId: input.clientId,
          account: { ...input.account },
          scopes: grantedScopes(input.tokenSet, []),
          status: "active",
          createdAt: now,
          updatedAt: now,
          lastRefreshedAt: now,
          ...(input.tokenSet.expiresAt !== undefined
            ? { accessTokenExpiresAt: input.tokenSet.expiresAt }
            : {}),
        };
        // Claim the account first: of concurrent creators exactly one wins, the others update it.
        const claimed = await store.records.compareAndSet<AccountPointer>(
          pointerKey,
          pointer?.version ?? null,
          {
            id: record.id,
            at: now,
          },
        );
        if (!claimed) continue;
        await writeTokenSet(context, record.id, input.tokenSet);
        await store.records.set(keys.connection(record.id), record);
        await writeIndexes(record);
        const connection = toConnection(record);
        events.emit({ type: "connection.created", connection });
        return connection;
      }
      throw new StoreError("could not store the connection under concurrent updates; try again");
    },

    async get(connectionId) {
      const record = await readConnection(context, connectionId);
      return record ? toConnection(record.value) : undefined;
    },

    async list(filter: ConnectionListFilter) {
      const load = async (id: string) => {
        const record = await readConnection(context, id);
        if (!record || !matches(record.value, filter)) return undefined;
        return toConnection(record.value);
      };
      if (filter.ids) {
        return pageFromIds({ ids: filter.ids, load, ...paging(filter) });
      }
      const prefix = keys.connectionIndex.forFilter(filter);
      return pageFromIndex({ records: store.records, prefix, load, ...paging(filter) });
    },

    async revoke(connectionId) {
      const initial = await requireConnection(context, connectionId);
      if (initial.status === "revoked") return toConnection(initial);
      // Hold the refresh lease so no refresh in flight persists tokens after they were erased.
      let lease: HeldLease | undefined;
      try {
        lease = await acquireLease(
          context,
          keys.refreshLock(connectionId),
          options.lockTtlMs,
          options.refreshWaitMs,
        );
      } catch (error) {
        options.logger.warn("revoking without the refresh lease", { connectionId, error: describe(error) });
      }
      try {
        const tokens = await readTokenSet(context, connectionId).catch((error: unknown) => {
          options.logger.warn("token set unreadable during revocation; erasing it", {
            connectionId,
            error: describe(error),
          });
          return undefined;
        });
        const provider = options.providers.get(initial.providerId);
        if (tokens && provider?.supportsRevocation) {
          const set = tokens.value;
          const revokeParams = set.refreshToken
            ? ({ token: set.refreshToken, tokenTypeHint: "refresh_token" } as const)
            : ({ token: set.accessToken, tokenTypeHint: "access_token" } as const);
          try {
            const result = await provider.revoke(revokeParams);
            if (!result.revoked) {
              options.logger.info?.("provider did not revoke", { connectionId, reason: result.reason });
            }
          } catch (error) {
            // The tokens are erased below either way: SCP can no longer use them.
            options.logger.warn("provider revocation failed", { connectionId, error: describe(error) });
          }
        }
        await eraseTokenSet(context, connectionId);
        const { before, after } = await updateConnection(context, connectionId, (current) => {
          if (current.status === "revoked") return undefined;
          const { statusReason: _reason, accessTokenExpiresAt: _expiry, ...rest } = current;
          return { ...rest, status: "revoked", updatedAt: options.now() };
        });
        const pointerKey = keys.accountPointer(
          after.userId,
          after.providerId,
          after.account.subject,
          after.clientId,
        );
        const pointer = await store.records.get<AccountPointer>(pointerKey);
        if (pointer?.value.id === connectionId) await store.records.delete(pointerKey);
        const connection = toConnection(after);
        if (before.status !== "revoked") events.emit({ type: "connection.revoked", connection });
        return connection;
      } finally {
        await lease?.release();
      }
    },

    async setStatus(connectionId: string, status: ConnectionStatus, reason?: StatusReason) {
      if (status === "revoked") return service.revoke(connectionId);
      if (status === "needs_reauth" && !reason) {
        throw new ValidationError("needs_reauth needs a statusReason", { field: "statusReason" });
      }
      const { before, after } = await updateConnection(context, connectionId, (current) => {
        if (current.status === "revoked") {
          throw new ConflictError("a revoked connection cannot change status; connect again", {
            extra: { connectionId, connectionStatus: "revoked" },
          });
        }
        const { statusReason: _previous, ...rest } = current;
        return {
          ...rest,
          status,
          ...(status === "needs_reauth" && reason ? { statusReason: { ...reason } } : {}),
          updatedAt: options.now(),
        };
      });
      const connection = toConnection(after);
      if (before.status !== "needs_reauth" && after.status === "needs_reauth") {
        events.emit({ type: "connection.needs_reauth", connection });
      }
      if (before.status === "needs_reauth" && after.status === "active") {
        events.emit({ type: "connection.recovered", connection });
      }
      return connection;
    },
  };
  return service;
}

/** The scopes a token set grants, or `fallback` when the provider did not say. */
export function grantedScopes(tokenSet: TokenSet, fallback: string[]): string[] {
  return tokenSet.scopes.length > 0 ? [...new Set(tokenSet.scopes)] : [...fallback];
}

function matches(record: ConnectionRecord, filter: ConnectionListFilter): boolean {
  if (filter.userId !== undefined && record.userId !== filter.userId) return false;
  if (filter.providerId !== undefined && record.providerId !== filter.providerId) return false;
  if (filter.status !== undefined && record.status !== filter.status) return false;
  if (filter.clientId !== undefined && record.clientId !== filter.clientId) return false;
  if (filter.ids !== undefined && !filter.ids.includes(record.id)) return false;
  return true;
}

function paging(filter: { limit?: number; cursor?: string }) {
  return {
    ...(filter.limit !== undefined ? { limit: filter.limit } : {}),
    ...(filter.cursor !== undefined ? { cursor: filter.cursor } : {}),
  };
}
