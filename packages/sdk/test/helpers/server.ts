import { randomBytes } from "node:crypto";
import { startServer } from "@securecontext/server";

export type DemoServer = Awaited<ReturnType<typeof startServer>>;

/** The reference server in demo mode (local Google- and Microsoft-like IdPs), memory store, random port. */
export async function startDemoServer(env: Record<string, string> = {}): Promise<DemoServer> {
  const key = randomBytes(32).toString("base64url");
  return startServer({
    env: {
      SCP_STORE: "memory:",
      SCP_ADMIN_KEY: randomBytes(32).toString("base64url"),
      SCP_ENCRYPTION_KEYS: `k1:${key}`,
      SCP_ALLOW_INSECURE_HTTP: "true",
      SCP_LOG_LEVEL: "silent",
      SCP_RATE_LIMIT: "0",
      ...env,
    },
    port: 0,
  });
}
