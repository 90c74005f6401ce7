import { runBackendSuite } from "@securecontext/token-store/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { redisBackend } from "../src/index";
import { connectClient, deleteKeys, type TestClient, uniquePrefix } from "./helpers";

let client: TestClient;
const prefix = uniquePrefix("backend");
beforeAll(async () => {
  client = await connectClient();
});
afterAll(async () => {
  await deleteKeys(client, prefix);
  await client.close();
});

runBackendSuite({ describe, it, expect, afterEach }, () => redisBackend({ client, prefix }), {
  name: "redisBackend",
  timeSlackMs: 200,
});

describe("redisBackend specifics", () => {
  it("stores records as readable JSON under hash-tagged keys and leaves no stray keys", async () => {
    const p = uniquePrefix("layout");
    const backend = redisBackend({ client, prefix: p });
    await backend.records.set(
      "con:1",
      { n: 1.0000000000000002, big: 2 ** 53 - 1 },
      { expiresAt: Date.now() + 60_000 },
    );
    const raw = JSON.parse((await client.get(`${p}{con:1}:r`))!);
    expect(raw).toMatchObject({ version: 1, v: { n: 1.0000000000000002, big: 2 ** 53 - 1 } });
    expect(await client.pTTL(`${p}{con:1}:r`)).toBeGreaterThan(50_000);
    const lease = await backend.locks.acquire("con:1", 10_000);
    expect(await client.get(`${p}{con:1}:l`)).toBe(lease!.token);
    expect(await client.get(`${p}{con:1}:f`)).toBe(String(lease!.fence));
    // Record, lease and fence share one Cluster slot.
    const slots = await Promise.all(
      ["r", "l", "f"].map((s) =>
        client.sendCommand<number>(["CLUSTER", "KEYSLOT", `${p}{con:1}:${s}`]).catch(() => -1),
      ),
    );
    expect(new Set(slots).size).toBe(1);
    await backend.close();
    expect(await deleteKeys(client, p)).toBe(3);
  });

  it("pub/sub crosses instances sharing Redis and close() leaves the caller's client open", async () => {
    const p = uniquePrefix("pubsub");
    const a = redisBackend({ client, prefix: p });
    const other = await connectClient();
    const b = redisBackend({ client: other, prefix: p });
    const got: string[] = [];
    const off = await b.pubsub.subscribe("session.revoked", (m) => got.push(m));
    await a.pubsub.publish("session.revoked", "ses_1");
    const until = Date.now() + 3000;
    while (got.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual(["ses_1"]);
    await off();
    await b.close();
    await a.close();
    expect(other.isReady).toBe(true);
    expect(await other.ping()).toBe("PONG");
    await other.close();
    await expect(a.records.get("k")).rejects.toMatchObject({ name: "StoreError" });
  });

  it("a value that is not an SCP record is a StoreError, not garbage", async () => {
    const p = uniquePrefix("foreign");
    const backend = redisBackend({ client, prefix: p });
    await client.set(`${p}{k}:r`, "hello");
    await expect(backend.records.get("k")).rejects.toMatchObject({ name: "StoreError" });
    await expect(backend.records.set("k", 1)).rejects.toMatchObject({ name: "StoreError" });
    await deleteKeys(client, p);
    await backend.close();
  });
});
