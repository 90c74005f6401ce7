import { hash } from "node:crypto";
import {
  type Client,
  type CreateClientBody,
  type CreatedClient,
  type ListPage,
  newId,
  newSecret,
} from "@securecontext/protocol";
import type { TokenStore } from "@securecontext/token-store";
import type { ClientKeyCache } from "./key-cache";

/** A client as stored: the API key only as its SHA-256 hash. */
export interface ClientRecord {
  id: string;
  name: string;
  redirectOrigins: string[];
  allowTokenAccess: boolean;
  createdAt: string;
  keyHash: string;
  /** True for clients declared in `SCP_CONFIG` (re-applied at every start). */
  configured?: boolean;
}

const CLIENT_PREFIX = "srv:client:";
const KEY_PREFIX = "srv:clientkey:";

/** Hex SHA-256 of a secret: how API keys are looked up without storing them. */
export function hashSecret(secret: string): string {
  return hash("sha256", secret, "hex");
}

function toClient(record: ClientRecord): Client {
  return {
    id: record.id,
    name: record.name,
    redirectOrigins: record.redirectOrigins,
    allowTokenAccess: record.allowTokenAccess,
    createdAt: record.createdAt,
  };
}

export interface ClientRegistry {
  /** Creates a client; the API key is returned here once and never again. */
  create(body: CreateClientBody): Promise<CreatedClient>;
  get(id: string): Promise<Client | undefined>;
  list(options: { limit: number; cursor?: string }): Promise<ListPage<Client>>;
  /** Deletes the client and its key index; its key fails at once. True when it existed. */
  delete(id: string): Promise<boolean>;
  /**
   * The client owning this `scp_sk_…` key, or undefined. `keyHash` is its {@link hashSecret} when
   * the caller already computed it (the rate limiter did).
   */
  authenticate(apiKey: string, keyHash?: string): Promise<Client | undefined>;
  /**
   * The client whose key has this {@link hashSecret} if the key was verified in the last few
   * seconds (the cache `authenticate` consults first), else undefined: lets a request that hits the
   * cache go on without waiting a turn. Undefined says nothing about the key; call `authenticate`.
   */
  recentlyVerified(keyHash: string): Client | undefined;
  /** Creates or updates a client from `SCP_CONFIG` with the key it declares. */
  upsertConfigured(input: {
    id: string;
    name: string;
    apiKey: string;
    redirectOrigins?: string[];
    allowTokenAccess?: boolean;
  }): Promise<Client>;
}

/**
 * Client registry over any `TokenStore` (records shared by every instance on the same store). With
 * a `cache` (the server passes one), verified keys skip the store for a few seconds; deleting a
 * client or replacing its key drops the old key on every instance at once.
 */
export function createClientRegistry(options: {
  records: TokenStore;
  now?: () => number;
  cache?: ClientKeyCache;
}): ClientRegistry {
  const { records, cache } = options;
  const now = options.now ?? Date.now;

  async function write(record: ClientRecord): Promise<void> {
    await records.set(`${KEY_PREFIX}${record.keyHash}`, { clientId: record.id });
    await records.set(`${CLIENT_PREFIX}${record.id}`, record);
  }

  async function getRecord(id: string): Promise<ClientRecord | undefined> {
    return (await records.get<ClientRecord>(`${CLIENT_PREFIX}${id}`))?.value;
  }

  return {
    async create(body) {
      const apiKey = newSecret("apiKey");
      const record: ClientRecord = {
        id: newId("client"),
        name: body.name,
        redirectOrigins: (body.redirectOrigins ?? []).map((origin) => new URL(origin).origin),
        allowTokenAccess: body.allowTokenAccess ?? false,
        createdAt: new Date(now()).toISOString(),
        keyHash: hashSecret(apiKey),
      };
      await write(record);
      return { ...toClient(record), apiKey };
    },
    async get(id) {
      const record = await getRecord(id);
      return record ? toClient(record) : undefined;
    },
    async list({ limit, cursor }) {
      const page = await records.list<ClientRecord>(CLIENT_PREFIX, { limit, ...(cursor ? { cursor } : {}) });
      return { items: page.items.map((item) => toClient(item.record.value)), nextCursor: page.nextCursor };
    },
    async delete(id) {
      const record = await getRecord(id);
      if (!record) return false;
      await records.delete(`${KEY_PREFIX}${record.keyHash}`);
      const deleted = await records.delete(`${CLIENT_PREFIX}${id}`);
      await cache?.invalidate([record.keyHash]);
      return deleted;
    },
    recentlyVerified(keyHash) {
      return cache?.get(keyHash);
    },
    async authenticate(apiKey, keyHash = hashSecret(apiKey)) {
      const cached = cache?.get(keyHash);
      if (cached) return cached;
      const index = await records.get<{ clientId: string }>(`${KEY_PREFIX}${keyHash}`);
      if (!index) return undefined;
      const record = await getRecord(index.value.clientId);
      // The key must still be the client's current key (a rotated-out key fails).
      if (!record || record.keyHash !== keyHash) return undefined;
      const client = toClient(record);
      cache?.set(keyHash, client);
      return client;
    },
    async upsertConfigured(input) {
      const existing = await getRecord(input.id);
      const keyHash = hashSecret(input.apiKey);
      if (existing && existing.keyHash !== keyHash) await records.delete(`${KEY_PREFIX}${existing.keyHash}`);
      const record: ClientRecord = {
        id: input.id,
        name: input.name,
        redirectOrigins: (input.redirectOrigins ?? []).map((origin) => new URL(origin).origin),
        allowTokenAccess: input.allowTokenAccess ?? false,
        createdAt: existing?.createdAt ?? new Date(now()).toISOString(),
        keyHash,
        configured: true,
      };
      await write(record);
      // Cached lookups of the old key, and of this key with the old settings, go everywhere.
      await cache?.invalidate(existing ? [existing.keyHash, keyHash] : [keyHash]);
      return toClient(record);
    },
  };
}
