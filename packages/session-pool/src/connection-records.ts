import type { Account, Connection, ConnectionStatus, StatusReason } from "@securecontext/protocol";
import { ConflictError, NotFoundError, StoreError } from "@securecontext/protocol";
import type { StoredRecord } from "@securecontext/token-store";
import type { PoolContext } from "./context";
import { iso } from "./timing";
import type { ConnectionOwnership } from "./types";

/** A connection as stored: the wire shape with epoch-ms times. Never holds a token. */
export interface ConnectionRecord {
  id: string;
  userId: string;
  providerId: string;
  clientId: string | null;
  account: Account;
  scopes: string[];
  status: ConnectionStatus;
  statusReason?: StatusReason;
  createdAt: number;
  updatedAt: number;
  lastRefreshedAt?: number;
  accessTokenExpiresAt?: number;
}

export function toConnection(record: ConnectionRecord): Connection {
  return {
    id: record.id,
    userId: record.userId,
    providerId: record.providerId,
    clientId: record.clientId,
    account: { ...record.account },
    scopes: [...record.scopes],
    status: record.status,
    ...(record.statusReason ? { statusReason: { ...record.statusReason } } : {}),
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    ...(record.lastRefreshedAt !== undefined ? { lastRefreshedAt: iso(record.lastRefreshedAt) } : {}),
    ...(record.accessTokenExpiresAt !== undefined
      ? { accessTokenExpiresAt: iso(record.accessTokenExpiresAt) }
      : {}),
  };
}

/** The stored connection record (the store's own promise, not wrapped again: every token call reads it). */
export function readConnection(
  context: PoolContext,
  connectionId: string,
): Promise<StoredRecord<ConnectionRecord> | undefined> {
  if (!/^con_[0-9A-Za-z]{1,64}$/.test(connectionId)) return Promise.resolve(undefined);
  return context.store.records.get<ConnectionRecord>(context.keys.connection(connectionId));
}

export async function requireConnection(
  context: PoolContext,
  connectionId: string,
): Promise<ConnectionRecord> {
  const record = await readConnection(context, connectionId);
  if (!record) throw notFound(connectionId);
  return record.value;
}

/** The error for a connection that does not exist (or that the caller may not see). */
export function notFound(connectionId: string): NotFoundError {
  return new NotFoundError("connection not found", { extra: { connectionId } });
}

/** Whose a connection is, without the ISO conversions of a full {@link toConnection}. */
export function ownershipOf(record: ConnectionRecord): ConnectionOwnership {
  return { id: record.id, userId: record.userId, providerId: record.providerId, clientId: record.clientId };
}

const MAX_CAS_ATTEMPTS = 20;

/**
 * Read-modify-write of a connection with compare-and-set on its version. `mutate` returns the next
 * record, or undefined to leave it unchanged. Returns both versions so callers can emit transitions.
 */
export async function updateConnection(
  context: PoolContext,
  connectionId: string,
  mutate: (current: ConnectionRecord) => ConnectionRecord | undefined,
): Promise<{ before: ConnectionRecord; after: ConnectionRecord }> {
  const key = context.keys.connection(connectionId);
  for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
    const current = await context.store.records.get<ConnectionRecord>(key);
    if (!current) throw new NotFoundError("connection not found", { extra: { connectionId } });
    const next = mutate(current.value);
    if (next === undefined) return { before: current.value, after: current.value };
    const written = await context.store.records.compareAndSet(key, current.version, next);
    if (written) return { before: current.value, after: next };
  }
  throw new StoreError("connection is being updated too often; try again", {
    extra: { connectionId },
  });
}

/** Throws the clear error for a connection that cannot hand out tokens. */
export function assertUsable(record: ConnectionRecord): void {
  if (record.status === "revoked") {
    throw new ConflictError("connection was revoked; the person must connect again", {
      extra: { connectionId: record.id, connectionStatus: "revoked" },
    });
  }
}
