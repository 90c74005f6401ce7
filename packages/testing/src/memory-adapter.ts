import type { Adapter, AdapterPayload } from "oidc-provider";

interface Entry {
  payload: AdapterPayload;
  /** Epoch ms after which the entry is gone; Infinity for none. */
  expiresAt: number;
}

/**
 * A per-IdP in-memory store for oidc-provider models (oidc-provider's own memory adapter shares
 * one global LRU between every provider in a process). Also lets the IdP's test helpers list and
 * change tokens by account.
 */
export interface MemoryStore {
  adapterFor(model: string): Adapter;
  /** Live payloads of one model. */
  entries(model: string): Array<{ id: string; payload: AdapterPayload }>;
  get(model: string, id: string): AdapterPayload | undefined;
  revokeGrant(grantId: string): void;
  clear(): void;
}

const GRANTABLE = new Set([
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
]);

export function createMemoryStore(): MemoryStore {
  const entries = new Map<string, Entry>();
  const byGrant = new Map<string, Set<string>>();
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();

  const keyOf = (model: string, id: string) => `${model}:${id}`;

  function read(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function revokeGrant(grantId: string): void {
    for (const key of byGrant.get(grantId) ?? []) entries.delete(key);
    byGrant.delete(grantId);
    entries.delete(keyOf("Grant", grantId));
  }

  function adapterFor(model: string): Adapter {
    return {
      async upsert(id, payload, expiresIn) {
        const key = keyOf(model, id);
        const expiresAt =
          typeof expiresIn === "number" ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
        entries.set(key, { payload: structuredClone(payload), expiresAt });
        if (GRANTABLE.has(model) && payload.grantId) {
          const members = byGrant.get(payload.grantId) ?? new Set<string>();
          members.add(key);
          byGrant.set(payload.grantId, members);
        }
        if (model === "Session" && payload.uid) byUid.set(payload.uid, id);
        if (payload.userCode) byUserCode.set(payload.userCode, id);
      },
      async find(id) {
        const entry = read(keyOf(model, id));
        return entry ? structuredClone(entry.payload) : undefined;
      },
      async findByUid(uid) {
        const id = byUid.get(uid);
        if (!id) return undefined;
        const entry = read(keyOf(model, id));
        return entry ? structuredClone(entry.payload) : undefined;
      },
      async findByUserCode(userCode) {
        const id = byUserCode.get(userCode);
        if (!id) return undefined;
        const entry = read(keyOf(model, id));
        return entry ? structuredClone(entry.payload) : undefined;
      },
      async consume(id) {
        const entry = read(keyOf(model, id));
        if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        entries.delete(keyOf(model, id));
      },
      async revokeByGrantId(grantId) {
        const prefix = `${model}:`;
        const members = byGrant.get(grantId);
        if (!members) return;
        for (const key of [...members]) {
          if (key.startsWith(prefix)) {
            entries.delete(key);
            members.delete(key);
          }
        }
      },
    };
  }

  return {
    adapterFor,
    entries(model) {
      const prefix = `${model}:`;
      const out: Array<{ id: string; payload: AdapterPayload }> = [];
      for (const key of [...entries.keys()]) {
        if (!key.startsWith(prefix)) continue;
        const entry = read(key);
        if (entry) out.push({ id: key.slice(prefix.length), payload: entry.payload });
      }
      return out;
    },
    get(model, id) {
      return read(keyOf(model, id))?.payload;
    },
    revokeGrant,
    clear() {
      entries.clear();
      byGrant.clear();
      byUid.clear();
      byUserCode.clear();
    },
  };
}
