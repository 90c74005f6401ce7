import type { Client } from "@securecontext/protocol";
import { memoryBackend } from "@securecontext/token-store";
import { describe, expect, it } from "vitest";
import { createClientKeyCache } from "./key-cache";

const client: Client = {
  id: "cli_0000000000000000000000",
  name: "A",
  redirectOrigins: [],
  allowTokenAccess: true,
  createdAt: new Date(0).toISOString(),
};
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe("client key cache", () => {
  it("drops a key on every instance sharing the pub/sub, and will not take it back", async () => {
    const backend = memoryBackend();
    const a = createClientKeyCache({ pubsub: backend.pubsub });
    const b = createClientKeyCache({ pubsub: backend.pubsub });
    await settle();
    a.set("h1", client);
    b.set("h1", client);
    expect(b.get("h1")).toBe(client);
    await a.invalidate(["h1"]);
    await settle();
    expect(a.get("h1")).toBeUndefined();
    expect(b.get("h1")).toBeUndefined();
    // A lookup that raced the delete cannot put the key back.
    b.set("h1", client);
    expect(b.get("h1")).toBeUndefined();
    await Promise.all([a.close(), b.close(), backend.close()]);
  });

  it("expires entries after maxAgeMs and keeps at most max keys", async () => {
    const backend = memoryBackend();
    let now = 1_000;
    const cache = createClientKeyCache({ pubsub: backend.pubsub, maxAgeMs: 100, max: 2, now: () => now });
    await settle();
    cache.set("h1", client);
    cache.set("h2", client);
    cache.set("h3", client);
    expect(cache.get("h1")).toBeUndefined();
    expect(cache.get("h3")).toBe(client);
    now += 101;
    expect(cache.get("h3")).toBeUndefined();
    await Promise.all([cache.close(), backend.close()]);
  });

  it("stays off until its subscription is confirmed", async () => {
    const backend = memoryBackend();
    const failing = { ...backend.pubsub, subscribe: () => Promise.reject(new Error("down")) };
    const cache = createClientKeyCache({ pubsub: failing });
    await settle();
    cache.set("h1", client);
    expect(cache.get("h1")).toBeUndefined();
    await Promise.all([cache.close(), backend.close()]);
  });
});
