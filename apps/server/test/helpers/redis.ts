import { createClient } from "redis";
import { uniq } from "./env";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** The server's default key prefix, used when it ignores `SCP_REDIS_PREFIX`. */
const SERVER_DEFAULT_PREFIX = "scp:";

/**
 * A Redis namespace for one test file: a dedicated logical database (so the servers' keys never mix
 * with other suites' even if a prefix setting is ignored) plus a unique key prefix
 * (`SCP_REDIS_PREFIX`). `cleanup()` deletes this file's keys from that database afterwards.
 */
export function redisNamespace(db: number) {
  const prefix = `test:${uniq()}:`;
  const url = `${REDIS_URL.replace(/\/\d*$/, "")}/${db}`;
  const withClient = async <T>(run: (client: ReturnType<typeof createClient>) => Promise<T>): Promise<T> => {
    const client = createClient({ url });
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.quit();
    }
  };
  const keys = (match: string) =>
    withClient(async (client) => {
      const found: string[] = [];
      for await (const batch of client.scanIterator({ MATCH: `${match}*`, COUNT: 500 })) {
        found.push(...(Array.isArray(batch) ? batch : [batch]));
      }
      return found;
    });
  return {
    prefix,
    /** `SCP_STORE` value for the servers. */
    url,
    /** Keys under this file's prefix. */
    ownKeys: () => keys(prefix),
    /** Keys under the server's default prefix in this database (present if the prefix was ignored). */
    defaultPrefixKeys: () => keys(SERVER_DEFAULT_PREFIX),
    async cleanup() {
      const found = [...(await keys(prefix)), ...(await keys(SERVER_DEFAULT_PREFIX))];
      if (found.length > 0) await withClient((client) => client.del(found));
      return found.length;
    },
  };
}
