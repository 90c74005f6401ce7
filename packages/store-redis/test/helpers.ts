import { randomBytes } from "node:crypto";
import { createClient } from "redis";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export type TestClient = ReturnType<typeof createClient>;

/** A connected client with the options the README recommends. */
export async function connectClient(url = REDIS_URL): Promise<TestClient> {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(50 + retries * 50, 500) },
  });
  client.on("error", () => {});
  await client.connect();
  return client;
}

export function uniquePrefix(name: string): string {
  return `test:${name}:${randomBytes(6).toString("hex")}:`;
}

/** Deletes every key starting with `prefix`. */
export async function deleteKeys(client: TestClient, prefix: string): Promise<number> {
  let deleted = 0;
  const pattern = `${prefix.replace(/[\\*?[\]]/g, (c) => `\\${c}`)}*`;
  for await (const batch of client.scanIterator({ MATCH: pattern, COUNT: 1000 })) {
    if (batch.length > 0) deleted += await client.del(batch);
  }
  return deleted;
}
