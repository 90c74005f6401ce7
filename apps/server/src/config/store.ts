import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigError } from "@securecontext/protocol";
import { memoryBackend, type StoreBackend } from "@securecontext/token-store";
import type { createClient } from "redis";

// Loaded on demand: only the selected store's driver is imported.
type FileBackendFactory = (options: { path: string }) => StoreBackend;
type RedisBackendFactory = (options: {
  client: ReturnType<typeof createClient>;
  prefix?: string;
}) => StoreBackend;

async function loadFileBackend(): Promise<FileBackendFactory> {
  const mod = (await import("@securecontext/token-store")) as unknown as { fileBackend?: FileBackendFactory };
  if (!mod.fileBackend)
    throw new ConfigError("SCP_STORE=file: is not available in this build", { field: "SCP_STORE" });
  return mod.fileBackend;
}

async function loadRedisBackend(): Promise<RedisBackendFactory> {
  const mod = (await import("@securecontext/store-redis")) as unknown as {
    redisBackend?: RedisBackendFactory;
  };
  if (!mod.redisBackend)
    throw new ConfigError("SCP_STORE=redis:// is not available in this build", { field: "SCP_STORE" });
  return mod.redisBackend;
}

/** What `SCP_STORE` selects. For Redis, `url` no longer carries the `prefix` parameter. */
export type StoreSpec =
  | { kind: "memory" }
  | { kind: "file"; path: string }
  | { kind: "redis"; url: string; prefix: string };

/**
 * The session pool's `keyPrefix` inside the store (not the Redis prefix, which wraps every key).
 * The server passes it to the pool and `keys rotate` derives the encrypted records' layout from it
 * (`keyLayout(POOL_KEY_PREFIX).isSecret` from @securecontext/session-pool), so the two never diverge.
 */
export const POOL_KEY_PREFIX = "scp:";

/** Key prefix for every record this server writes to Redis when none is configured. */
export const DEFAULT_REDIS_PREFIX = "scp:";

const REDIS_PREFIX_PATTERN = /^[\x21-\x7e]{1,100}$/;

function redisPrefix(value: string, source: string): string {
  if (!REDIS_PREFIX_PATTERN.test(value)) {
    throw new ConfigError(
      `${source}: a Redis key prefix is 1–100 printable ASCII characters without spaces (for example myapp:)`,
      { field: "SCP_STORE" },
    );
  }
  return value;
}

/**
 * Parses `file:<path>`, `memory:` or `redis://…` / `rediss://…`. A Redis URL may carry the key
 * prefix as a query parameter (`redis://host:6379/2?prefix=myapp:`; the path selects the database);
 * `options.redisPrefix` (`SCP_REDIS_PREFIX`) is the same setting from the environment. Giving both
 * with different values is a `ConfigError`; neither means `scp:`.
 */
export function parseStoreSpec(value: string, options: { redisPrefix?: string | undefined } = {}): StoreSpec {
  if (value === "memory:") return { kind: "memory" };
  if (value.startsWith("file:")) {
    const path = value.slice("file:".length);
    if (!path)
      throw new ConfigError("SCP_STORE file: needs a path (file:./.securecontext/scp.db)", {
        field: "SCP_STORE",
      });
    return { kind: "file", path: resolve(path) };
  }
  if (value.startsWith("redis://") || value.startsWith("rediss://")) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError("SCP_STORE is not a valid redis:// URL", { field: "SCP_STORE" });
    }
    const fromUrl = url.searchParams.getAll("prefix");
    if (fromUrl.length > 1) throw new ConfigError("SCP_STORE: give prefix= once", { field: "SCP_STORE" });
    url.searchParams.delete("prefix");
    const inUrl = fromUrl[0] === undefined ? undefined : redisPrefix(fromUrl[0], "SCP_STORE prefix");
    const inEnv =
      options.redisPrefix === undefined || options.redisPrefix === ""
        ? undefined
        : redisPrefix(options.redisPrefix, "SCP_REDIS_PREFIX");
    if (inUrl !== undefined && inEnv !== undefined && inUrl !== inEnv) {
      throw new ConfigError("SCP_STORE prefix= and SCP_REDIS_PREFIX disagree; set one of them", {
        field: "SCP_STORE",
      });
    }
    return { kind: "redis", url: url.toString(), prefix: inUrl ?? inEnv ?? DEFAULT_REDIS_PREFIX };
  }
  throw new ConfigError("SCP_STORE must be file:<path>, memory: or redis://…", { field: "SCP_STORE" });
}

/** A URL safe to print: credentials removed. */
export function describeStore(spec: StoreSpec): string {
  if (spec.kind === "memory") return "memory (nothing survives a restart)";
  if (spec.kind === "file") return `file ${spec.path}`;
  const url = new URL(spec.url);
  url.username = "";
  url.password = "";
  return `redis ${url.toString()} (key prefix ${spec.prefix})`;
}

/**
 * Opens the store backend. For Redis the client is created here (node-redis 5) and handed to
 * `redisBackend` with the spec's key prefix; the returned backend's `close()` closes the backend and
 * then this client (the backend never closes a client it was given).
 */
export async function openStoreBackend(spec: StoreSpec): Promise<StoreBackend> {
  if (spec.kind === "memory") return memoryBackend();
  if (spec.kind === "file") {
    mkdirSync(dirname(spec.path), { recursive: true, mode: 0o700 });
    return (await loadFileBackend())({ path: spec.path });
  }
  const redisBackend = await loadRedisBackend();
  // Imported only when Redis is selected: node-redis and its modules cost ~20 MB of RSS to load.
  const { createClient: connectRedis } = await import("redis");
  const client = connectRedis({ url: spec.url });
  client.on("error", () => {
    // Connection errors surface as StoreError on the calls that need the store; readiness reports them.
  });
  try {
    await client.connect();
  } catch (error) {
    throw new ConfigError(`SCP_STORE: cannot connect to ${describeStore(spec)}`, {
      field: "SCP_STORE",
      cause: error,
    });
  }
  const backend = redisBackend({ client, prefix: spec.prefix });
  return {
    ...backend,
    async close() {
      try {
        await backend.close();
      } finally {
        if (client.isOpen) await client.close().catch(() => undefined);
      }
    },
  };
}
