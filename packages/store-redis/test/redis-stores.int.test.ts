import KeyvRedis from "@keyv/redis";
import { createKeyRing, encryptedBackend, generateKey, keyvStore } from "@securecontext/token-store";
import { runBackendSuite, runTokenStoreSuite } from "@securecontext/token-store/testing";
import Keyv from "keyv";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { redisBackend } from "../src/index";
import { connectClient, deleteKeys, type TestClient, uniquePrefix } from "./helpers";

let client: TestClient;
const keyvPrefix = uniquePrefix("keyv");
const encryptedPrefix = uniquePrefix("encrypted");
beforeAll(async () => {
  client = await connectClient();
});
afterAll(async () => {
  await deleteKeys(client, keyvPrefix.slice(0, -1));
  await deleteKeys(client, encryptedPrefix);
  await client.close();
});

runTokenStoreSuite(
  { describe, it, expect, afterEach },
  () =>
    keyvStore({
      keyv: new Keyv({
        store: new KeyvRedis(client, { namespace: keyvPrefix.slice(0, -1) }),
        throwOnErrors: true,
      }),
    }),
  { name: "keyvStore(@keyv/redis)", timeSlackMs: 200 },
);

const keyRing = createKeyRing({ keys: [generateKey("k1")] });
runBackendSuite(
  { describe, it, expect, afterEach },
  () => encryptedBackend({ backend: redisBackend({ client, prefix: encryptedPrefix }), keyRing }),
  { name: "encryptedBackend(redisBackend)", timeSlackMs: 200 },
);

describe("encrypted records in Redis", () => {
  it("hold only ciphertext", async () => {
    const prefix = uniquePrefix("cipher");
    const backend = encryptedBackend({ backend: redisBackend({ client, prefix }), keyRing });
    await backend.records.set("con:1", { refreshToken: "rt-PLAINTEXT" });
    const raw = await client.get(`${prefix}{con:1}:r`);
    expect(raw).not.toContain("PLAINTEXT");
    expect(JSON.parse(raw!).v).toMatch(/^eyJ[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/);
    await deleteKeys(client, prefix);
    await backend.close();
  });
});
