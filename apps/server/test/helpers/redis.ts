import { createClient } from "redis";
import { uniq } from "./env";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A unique key prefix for one test file, and a way to count and delete its keys afterwards. */
export function redisNamespace() {
  const prefix = `test:${uniq()}:`;
  const withClient = async <T>(run: (client: ReturnType<typeof createClient>) => Promise<T>): Promise<T> => {
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.quit();
    }
  };
  const keys = () =>
    withClient(async (client) => {
      const found: string[] = [];
      for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
        found.push(...(Array.isArray(batch) ? batch : [batch]));
      }
      return found;
    });
  return {
    prefix,
    keys,
    async cleanup() {
      const found = await keys();
      if (found.length > 0) await withClient((client) => client.del(found));
      return found.length;
    },
  };
}
