import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigError } from "@securecontext/protocol";
import { memoryBackend, type StoreBackend } from "@securecontext/token-store";
import { createClient } from "redis";

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

/** What `SCP_STORE` selects. */
export type StoreSpec = { kind: "memory" } | { kind: "file"; path: string } | { kind: "redis"; url: string };

/** Parses `file:<path>`, `memory:` or `redis://…` / `rediss://…`. */
export function parseStoreSpec(value: string): StoreSpec {
  if (value === "memory:") return { kind: "memory" };
  if (value.startsWith("file:")) {
    const path = value.slice("file:".length);
    if (!path)
      throw new ConfigError("SCP_STORE file: needs a path (file:./.securecontext/scp.db)", {
        field: "SCP_STORE",
      });
    return { kind: "file", path: resolve(path) };
  }
  if (value.startsWith("redis://") || value.startsWith("rediss://")) return { kind: "redis", url: value };
  throw new ConfigError("SCP_STORE must be file:<path>, memory: or redis://…", { field: "SCP_STORE" });
}

/** A URL safe to print: credentials removed. */
export function describeStore(spec: StoreSpec): string {
  if (spec.kind === "memory") return "memory (nothing survives a restart)";
  if (spec.kind === "file") return `file ${spec.path}`;
  const url = new URL(spec.url);
  url.username = "";
  url.password = "";
  return `redis ${url.toString()}`;
}

/** Key prefix for every record this server writes to Redis (`SCP_REDIS_PREFIX`, default `scp:`). */
export const DEFAULT_REDIS_PREFIX = "scp:";

/**
 * Opens the store backend. Redis clients are created here (node-redis 5) and handed to
 * `redisBackend`, which owns them from then on (its `close()` quits them).
 */
export async function openStoreBackend(
  spec: StoreSpec,
  options: { redisPrefix?: string } = {},
): Promise<StoreBackend> {
  if (spec.kind === "memory") return memoryBackend();
  if (spec.kind === "file") {
    mkdirSync(dirname(spec.path), { recursive: true, mode: 0o700 });
    return (await loadFileBackend())({ path: spec.path });
  }
  const redisBackend = await loadRedisBackend();
  const client = createClient({ url: spec.url });
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
  return redisBackend({ client, prefix: options.redisPrefix ?? DEFAULT_REDIS_PREFIX });
}
