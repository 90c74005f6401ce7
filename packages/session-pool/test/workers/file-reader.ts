/**
 * A fresh process on the same file store: reads back what the test wrote before and prints JSON.
 */
import { createKeyRing, fileBackend, type KeyRingKey } from "@securecontext/token-store";
import { createSessionPool } from "../../src";
import { fakeProvider } from "../helpers/fake-provider";

const config = JSON.parse(process.env.SCP_WORKER_CONFIG ?? "{}") as {
  path: string;
  keys: KeyRingKey[];
  connectionId: string;
  sessionId: string;
  token: string;
  connectRequestId: string;
};
const backend = fileBackend({ path: config.path, sweepIntervalMs: 0 });
const provider = fakeProvider();
const pool = createSessionPool({
  backend,
  keyRing: createKeyRing({ keys: config.keys }),
  providers: { get: (id) => (id === provider.id ? provider : undefined), list: () => [provider] },
  redirectUri: "http://scp.test/oauth/callback",
  baseUrl: "http://scp.test",
});
const output = {
  connection: await pool.connections.get(config.connectionId),
  listed: (await pool.connections.list({ userId: "restart-user" })).items.map((c) => c.id),
  accessToken: (await pool.getAccessToken(config.connectionId)).accessToken,
  verified: (await pool.sessions.verify(config.token))?.id,
  session: await pool.sessions.get(config.sessionId),
  sessions: (await pool.sessions.list({ userId: "restart-user" })).items.map((s) => s.id),
  connectRequest: await pool.connect.get(config.connectRequestId),
};
process.stdout.write(`${JSON.stringify(output)}\n`);
await pool.close();
await backend.close();
