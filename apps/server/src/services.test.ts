import { createKeyRing, generateKey, memoryBackend } from "@securecontext/token-store";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logging";
import { createServerServices, isWebhookSecretKey } from "./services";

describe("server services", () => {
  it("stores webhook signing secrets encrypted and still lists and uses them", async () => {
    const backend = memoryBackend();
    const keyRing = createKeyRing({ keys: [generateKey("k1")] });
    const services = createServerServices({
      backend,
      keyRing,
      logger: createLogger({ level: "silent" }),
      rateLimitPerMinute: 0,
    });
    const created = await services.webhooks.create({ url: "https://hooks.example/scp", events: ["*"] });
    const raw = await backend.records.list("webhooks:sub:");
    expect(raw.items).toHaveLength(1);
    const [entry] = raw.items;
    expect(isWebhookSecretKey(entry?.key ?? "")).toBe(true);
    expect(typeof entry?.record.value).toBe("string");
    expect(String(entry?.record.value).split(".")).toHaveLength(5); // compact JWE
    expect(JSON.stringify(raw)).not.toContain(created.secret);
    expect((await services.webhooks.list()).items.map((hook) => hook.id)).toEqual([created.id]);
    await services.webhooks.close();
  });
});
