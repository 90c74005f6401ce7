import { hash, timingSafeEqual } from "node:crypto";
import type { Session } from "@securecontext/protocol";
import {
  AuthRequiredError,
  ConflictError,
  ID_RANDOM_LENGTH,
  NotFoundError,
  newSecret,
  SESSION_MAX_LIFETIME_MS,
  SESSION_TTL_MAX_SECONDS,
  SESSION_TTL_MIN_SECONDS,
  StoreError,
  secretPrefixes,
  ValidationError,
} from "@securecontext/protocol";
import { keyedMutex } from "@securecontext/token-store";
import { readConnection } from "./connection-records";
import type { PoolContext } from "./context";
import { describe } from "./events";
import { sha256Hex } from "./keys";
import { pageFromIndex } from "./paging";
import type { SessionCache } from "./session-cache";
import { createSessionCaps } from "./session-caps";
import {
  frozenSession,
  type SessionChangeMessage,
  type SessionRecord,
  type TokenHashRecord,
  toSession,
} from "./session-records";
import type { ConnectionService, CreateSessionInput, SessionService } from "./types";

const TOKEN_PATTERN = new RegExp(`^${secretPrefixes.sessionToken}[0-9A-Za-z]{43}$`);
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * A session's id, derived from its token's hash (`ses_` + 22 base62 characters, like `newId`), so
 * `verify` reads the session record directly: no token-hash → id pointer record per session.
 * The id is a one-way function of a one-way function of a 256-bit secret: it reveals nothing of
 * the token. Sessions stored before this layout keep their random ids and their pointer records
 * (`isDerivedId` tells them apart), which `verify` still follows.
 */
function sessionIdFor(tokenHash: string): string {
  const digest = hash("sha256", `scp session id v1:${tokenHash}`, "buffer");
  let id = "ses_";
  for (let i = 0; i < ID_RANDOM_LENGTH; i++) id += BASE62[(digest[i] as number) % 62];
  return id;
}

const isDerivedId = (record: SessionRecord) => record.id === sessionIdFor(record.tokenHash);

/** A session record as stored: defaults and the id (which is in the key) left out. */
type StoredSession = Omit<SessionRecord, "id" | "agentId" | "connectionIds" | "scopes" | "allowTokenAccess"> &
  Partial<SessionRecord>;

/** The stored form: ~90 bytes less per session than the full record (100 000 sessions: ~9 MB). */
function compact(record: SessionRecord): StoredSession {
  const { id: _id, agentId, connectionIds, scopes, allowTokenAccess, ...rest } = record;
  return {
    ...rest,
    ...(agentId !== null ? { agentId } : {}),
    ...(connectionIds.length > 0 ? { connectionIds } : {}),
    ...(scopes.length > 0 ? { scopes } : {}),
    ...(allowTokenAccess ? { allowTokenAccess } : {}),
  };
}

/** The full record from either stored form (records written before `compact` carry every field). */
function expand(sessionId: string, stored: StoredSession): SessionRecord {
  return {
    ...stored,
    id: stored.id ?? sessionId,
    agentId: stored.agentId ?? null,
    connectionIds: stored.connectionIds ?? [],
    scopes: stored.scopes ?? [],
    allowTokenAccess: stored.allowTokenAccess ?? false,
  };
}

/**
 * Sessions: stored by id, found by the SHA-256 of their token, indexed by user / client / all. Every
 * record carries the session's expiry, so stores drop expired sessions by themselves (Redis TTL,
 * the memory and file stores' sweeps) and an expired session always reads as absent.
 */
export function createSessionService(
  context: PoolContext,
  connections: ConnectionService,
  cache: SessionCache,
): SessionService {
  const { store, keys, options, events } = context;
  const caps = createSessionCaps(context);
  /**
   * Cap updates of one user (all of them when a global cap applies) run one at a time in this
   * process: the counters stay compare-and-set (safe across instances), but concurrent creates here
   * no longer collide on them and back off with random sleeps (1 000 parallel creates took seconds).
   */
  const capLane = keyedMutex();
  const capKey = (userId: string) => (options.sessionCaps.global !== undefined ? "*" : `u:${userId}`);
  const inCapLane = <R>(userId: string, run: () => Promise<R>) => capLane(capKey(userId), run);

  const indexEntries = (record: SessionRecord) => {
    const index = keys.sessionIndex;
    return [index.byUser(record.userId), index.byClient(record.clientId), index.all()].map((prefix) =>
      index.entry(prefix, record.createdAt, record.id),
    );
  };

  const writeIndexes = (record: SessionRecord) =>
    Promise.all(
      indexEntries(record).map((key) =>
        store.records.set(key, { id: record.id }, { expiresAt: record.expiresAt }),
      ),
    );

  const readLive = async (sessionId: string) => {
    if (!/^ses_[0-9A-Za-z]{1,64}$/.test(sessionId)) return undefined;
    const stored = await store.records.get<StoredSession>(keys.session(sessionId));
    if (!stored || stored.value.expiresAt <= options.now()) return undefined;
    return { ...stored, value: expand(sessionId, stored.value) };
  };

  const publish = async (change: SessionChangeMessage) => {
    cache.invalidate(change);
    try {
      await store.pubsub.publish(keys.sessionChannel(), JSON.stringify(change));
    } catch (error) {
      // Other instances' caches expire within the cache max age; the store itself is already updated.
      options.logger.error("could not publish a session change", {
        sessionId: change.sessionId,
        error: describe(error),
      });
    }
  };

  /** The canonical spelling of a scope at a provider (Microsoft Graph: short and full-URL forms). */
  const canonical = (providerId: string, scope: string) =>
    options.providers.get(providerId)?.normalizeScope?.(scope) ?? scope;

  const selectConnections = async (input: CreateSessionInput) => {
    const ids: string[] = [];
    /** Canonical scopes held, per provider. */
    const held = new Map<string, Set<string>>();
    const hold = (providerId: string, scopes: string[]) => {
      const set = held.get(providerId) ?? new Set<string>();
      for (const scope of scopes) set.add(canonical(providerId, scope));
      held.set(providerId, set);
    };
    for (const [i, connectionId] of (input.connectionIds ?? []).entries()) {
      const record = await readConnection(context, connectionId);
      const connection = record?.value;
      if (
        !connection ||
        connection.userId !== input.userId ||
        (input.clientId !== null && connection.clientId !== input.clientId)
      ) {
        throw new ValidationError(`connection ${connectionId} not found for this user`, {
          field: `connectionIds[${i}]`,
        });
      }
      if (connection.status === "revoked") {
        throw new ValidationError(`connection ${connectionId} was revoked`, { field: `connectionIds[${i}]` });
      }
      if (!ids.includes(connection.id)) ids.push(connection.id);
      hold(connection.providerId, connection.scopes);
    }
    /** Adds the user's active connections visible to the creating client (of one provider, or all). */
    const addActive = async (providerId: string | undefined): Promise<number> => {
      let cursor: string | undefined;
      let found = 0;
      do {
        const page = await connections.list({
          userId: input.userId,
          ...(providerId !== undefined ? { providerId } : {}),
          status: "active",
          ...(input.clientId !== null ? { clientId: input.clientId } : {}),
          limit: 200,
          ...(cursor ? { cursor } : {}),
        });
        for (const connection of page.items) {
          found++;
          if (!ids.includes(connection.id)) ids.push(connection.id);
          hold(connection.providerId, connection.scopes);
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return found;
    };
    for (const providerId of new Set(input.providerIds ?? [])) {
      if ((await addActive(providerId)) === 0) {
        throw new AuthRequiredError(`the user has no active ${providerId} connection`, { providerId });
      }
    }
    // Neither given: every active connection of the user that the creating client owns (all of the
    // user's for an admin, clientId null). None is not an error: actions then answer auth_required.
    if (input.connectionIds === undefined && input.providerIds === undefined) await addActive(undefined);
    return { ids, held };
  };

  /** The canonical form of a requested scope under the first provider whose connections hold it. */
  const heldAs = (held: Map<string, Set<string>>, scope: string): string[] => {
    for (const [providerId, set] of held) {
      const name = canonical(providerId, scope);
      if (set.has(name)) return [name];
    }
    return [];
  };

  const service: SessionService = {
    async create(input) {
      validateTtl(input.ttlSeconds);
      if (typeof input.userId !== "string" || input.userId.length === 0) {
        throw new ValidationError("userId is required", { field: "userId" });
      }
      const { ids, held } = await selectConnections(input);
      // Narrow: requested scopes the connections do not hold are dropped; kept ones in canonical form.
      const scopes = input.scopes
        ? [...new Set(input.scopes.flatMap((scope) => heldAs(held, scope)))]
        : [...new Set([...held.values()].flatMap((set) => [...set]))];
      const now = options.now();
      const token = newSecret("sessionToken");
      const tokenHash = sha256Hex(token);
      const record: SessionRecord = {
        id: sessionIdFor(tokenHash),
        userId: input.userId,
        agentId: input.agentId ?? null,
        clientId: input.clientId,
        connectionIds: ids,
        scopes,
        allowTokenAccess: input.allowTokenAccess ?? false,
        createdAt: now,
        expiresAt: now + input.ttlSeconds * 1000,
        tokenHash,
      };
      await inCapLane(record.userId, () => caps.reserve(record.userId, record.expiresAt));
      try {
        await store.records.set(keys.session(record.id), compact(record), { expiresAt: record.expiresAt });
        await writeIndexes(record);
      } catch (error) {
        await inCapLane(record.userId, () => caps.release(record.userId, record.expiresAt)).catch(() => {});
        throw error;
      }
      const session = toSession(record);
      events.emit({ type: "session.created", session });
      return { session, token };
    },

    async verify(token) {
      if (typeof token !== "string" || !TOKEN_PATTERN.test(token)) return undefined;
      const tokenHash = sha256Hex(token);
      const useCache = await cache.ready();
      if (useCache) {
        const hit = cache.get(tokenHash);
        if (hit) return hit;
      }
      let record = await readLive(sessionIdFor(tokenHash));
      if (!record) {
        // A session stored before ids were derived from the token: follow its pointer record.
        const pointer = await store.records.get<TokenHashRecord>(keys.sessionTokenHash(tokenHash));
        if (!pointer) return undefined;
        record = await readLive(pointer.value.sessionId);
      }
      if (!record || record.value.revokedAt !== undefined) return undefined;
      if (!sameHash(record.value.tokenHash, tokenHash) || cache.isRevoked(record.value.id)) return undefined;
      const session = frozenSession(record.value);
      if (useCache) cache.set(tokenHash, session, record.value.expiresAt);
      return session;
    },

    async get(sessionId) {
      const record = await readLive(sessionId);
      return record ? toSession(record.value) : undefined;
    },

    async list(filter) {
      return pageFromIndex<Session>({
        records: store.records,
        prefix: keys.sessionIndex.forFilter(filter),
        ...(filter.limit !== undefined ? { limit: filter.limit } : {}),
        ...(filter.cursor !== undefined ? { cursor: filter.cursor } : {}),
        load: async (id) => {
          const record = await readLive(id);
          const value = record?.value;
          if (!value || value.revokedAt !== undefined) return undefined;
          if (filter.userId !== undefined && value.userId !== filter.userId) return undefined;
          if (filter.clientId !== undefined && value.clientId !== filter.clientId) return undefined;
          if (filter.agentId !== undefined && value.agentId !== filter.agentId) return undefined;
          return toSession(value);
        },
      });
    },

    async extend(sessionId, ttlSeconds) {
      validateTtl(ttlSeconds);
      for (let attempt = 0; attempt < 20; attempt++) {
        const current = await readLive(sessionId);
        if (!current) throw new NotFoundError("session not found", { extra: { sessionId } });
        if (current.value.revokedAt !== undefined) {
          throw new ConflictError("session was revoked and cannot be extended", { extra: { sessionId } });
        }
        const now = options.now();
        const cap = current.value.createdAt + SESSION_MAX_LIFETIME_MS;
        const expiresAt = Math.max(current.value.expiresAt, Math.min(now + ttlSeconds * 1000, cap));
        const next: SessionRecord = { ...current.value, expiresAt };
        const written = await store.records.compareAndSet(
          keys.session(sessionId),
          current.version,
          compact(next),
          {
            expiresAt,
          },
        );
        if (!written) continue;
        if (!isDerivedId(next)) {
          await store.records.set<TokenHashRecord>(
            keys.sessionTokenHash(next.tokenHash),
            { sessionId },
            { expiresAt },
          );
        }
        await writeIndexes(next);
        await inCapLane(next.userId, () => caps.move(next.userId, current.value.expiresAt, expiresAt)).catch(
          (error: unknown) => {
            options.logger.warn("could not update session caps after extend", {
              sessionId,
              error: describe(error),
            });
          },
        );
        await publish({ type: "changed", sessionId, tokenHash: next.tokenHash });
        const session = toSession(next);
        events.emit({ type: "session.extended", session });
        return session;
      }
      throw new StoreError("session is being updated too often; try again", { extra: { sessionId } });
    },

    async revoke(sessionId) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const current = await readLive(sessionId);
        if (!current) return;
        const record = current.value;
        if (record.revokedAt === undefined) {
          const next: SessionRecord = { ...record, revokedAt: options.now() };
          const written = await store.records.compareAndSet(
            keys.session(sessionId),
            current.version,
            compact(next),
            {
              expiresAt: record.expiresAt,
            },
          );
          if (!written) continue;
        }
        // Idempotent clean-up: also finishes a revocation that was interrupted half-way.
        if (!isDerivedId(record)) await store.records.delete(keys.sessionTokenHash(record.tokenHash));
        await Promise.all(indexEntries(record).map((key) => store.records.delete(key)));
        await publish({ type: "revoked", sessionId, tokenHash: record.tokenHash });
        if (record.revokedAt === undefined) {
          await inCapLane(record.userId, () => caps.release(record.userId, record.expiresAt)).catch(
            (error: unknown) => {
              options.logger.warn("could not release a session cap slot", {
                sessionId,
                error: describe(error),
              });
            },
          );
          events.emit({ type: "session.revoked", sessionId });
        }
        return;
      }
      throw new StoreError("session is being updated too often; try again", { extra: { sessionId } });
    },
  };
  return service;
}

function validateTtl(ttlSeconds: number): void {
  if (
    !Number.isInteger(ttlSeconds) ||
    ttlSeconds < SESSION_TTL_MIN_SECONDS ||
    ttlSeconds > SESSION_TTL_MAX_SECONDS
  ) {
    throw new ValidationError(
      `ttlSeconds must be an integer from ${SESSION_TTL_MIN_SECONDS} to ${SESSION_TTL_MAX_SECONDS}`,
      { field: "ttlSeconds" },
    );
  }
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}
