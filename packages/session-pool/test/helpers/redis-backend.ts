import { escapeGlob, redisBackend } from "@securecontext/store-redis";
import type { StoreBackend } from "@securecontext/token-store";
import { createClient } from "redis";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * A real `@securecontext/store-redis` backend on its own client for one test, with `cleanup()`
 * deleting every key under the test's prefix. The client fails fast while Redis is down (no
 * offline queue) and reconnects with back-off, as the store-redis README recommends.
 */
export async function testRedisBackend(options: {
  url: string;
  prefix: string;
}): Promise<StoreBackend & { cleanup(): Promise<void> }> {
  const client = createClient({
    url: options.url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 1_000, reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 500) },
  });
  client.on("error", () => {});
  await client.connect();
  const backend = redisBackend({ client, prefix: options.prefix });
  return {
    ...backend,
    async cleanup() {
      const keys: string[] = [];
      for await (const page of client.scanIterator({ MATCH: `${escapeGlob(options.prefix)}*`, COUNT: 500 })) {
        keys.push(...(Array.isArray(page) ? page : [page]));
      }
      for (let i = 0; i < keys.length; i += 500) await client.del(keys.slice(i, i + 500));
    },
    async close() {
      await backend.close();
      await client.quit().catch(() => {});
    },
  };
}
