import { hash } from "node:crypto";

/**
 * Key layout. Records of one connection (metadata, token set, refresh lease) share the Redis
 * Cluster hash tag `{con_…}`, so a cluster keeps them in one slot. User ids are opaque and may hold
 * any character, so index keys carry their SHA-256 instead. Index entries sort by creation time
 * (13-digit epoch ms) so lists come out oldest first.
 */
export interface KeyLayout {
  connection(id: string): string;
  tokenSet(id: string): string;
  refreshLock(id: string): string;
  /** Dedup pointer for user + provider + account + client. */
  accountPointer(userId: string, providerId: string, subject: string, clientId: string | null): string;
  connectionIndex: IndexKeys;
  session(id: string): string;
  sessionTokenHash(tokenHash: string): string;
  sessionIndex: IndexKeys;
  sessionCapUser(userId: string): string;
  sessionCapGlobal(): string;
  connectRequest(id: string): string;
  oauthState(state: string): string;
  sessionChannel(): string;
  /** True for keys whose values are encrypted (token sets; OAuth state with its PKCE verifier). */
  isSecret(key: string): boolean;
}

export interface IndexKeys {
  byUser(userId: string): string;
  byClient(clientId: string | null): string;
  all(): string;
  /** Full entry key: `<prefix><createdAt13>:<id>`. */
  entry(prefix: string, createdAt: number, id: string): string;
  /** The narrowest index for a list filter: by user, else by client, else all. */
  forFilter(filter: { userId?: string; clientId?: string | null }): string;
}

/** Hex SHA-256 of a string. */
export function sha256Hex(value: string): string {
  return hash("sha256", value, "hex");
}

function indexKeys(base: string): IndexKeys {
  const keys: IndexKeys = {
    byUser: (userId) => `${base}u:${sha256Hex(userId)}:`,
    byClient: (clientId) => `${base}c:${clientId ?? "_"}:`,
    all: () => `${base}a:`,
    entry: (prefix, createdAt, id) => `${prefix}${String(createdAt).padStart(13, "0")}:${id}`,
    forFilter: (filter) =>
      filter.userId !== undefined
        ? keys.byUser(filter.userId)
        : filter.clientId !== undefined
          ? keys.byClient(filter.clientId)
          : keys.all(),
  };
  return keys;
}

/**
 * Where the pool keeps each record under `prefix` (the server uses `scp:`). Exported so tools that
 * walk the store — `securecontext keys rotate` — re-encrypt exactly the records the pool encrypts
 * (`isSecret`) without copying the layout.
 */
export function keyLayout(prefix: string): KeyLayout {
  const tokenPrefix = `${prefix}tok:`;
  const statePrefix = `${prefix}state:`;
  return {
    connection: (id) => `${prefix}con:{${id}}`,
    tokenSet: (id) => `${tokenPrefix}{${id}}`,
    refreshLock: (id) => `${prefix}lock:refresh:{${id}}`,
    accountPointer: (userId, providerId, subject, clientId) =>
      `${prefix}acct:${sha256Hex(JSON.stringify([userId, providerId, subject, clientId]))}`,
    connectionIndex: indexKeys(`${prefix}ix:con:`),
    session: (id) => `${prefix}ses:{${id}}`,
    sessionTokenHash: (tokenHash) => `${prefix}sth:${tokenHash}`,
    sessionIndex: indexKeys(`${prefix}ix:ses:`),
    sessionCapUser: (userId) => `${prefix}cap:ses:u:${sha256Hex(userId)}`,
    sessionCapGlobal: () => `${prefix}cap:ses:all`,
    connectRequest: (id) => `${prefix}cr:{${id}}`,
    oauthState: (state) => `${statePrefix}${sha256Hex(state)}`,
    sessionChannel: () => `${prefix}sessions`,
    isSecret: (key) => key.startsWith(tokenPrefix) || key.startsWith(statePrefix),
  };
}
