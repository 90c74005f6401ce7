import { describe, expect, it } from "vitest";
// The reference server's own signer: the SDK must accept exactly what the server sends.
import { signWebhook as serverSign } from "../../../apps/server/src/webhooks/signature";
import { signWebhook, verifyWebhook } from "../src/index";

describe("webhook signatures match the reference server", () => {
  it("verifies a body the server signed, and signs identically", async () => {
    const body = JSON.stringify({
      id: "evt_1",
      type: "connection.revoked",
      createdAt: new Date().toISOString(),
      data: { connectionId: "con_1", note: "ünïcödé ✓" },
    });
    const t = Math.floor(Date.now() / 1000);
    const header = serverSign("scp_whsec_abc", body, t);
    await expect(verifyWebhook(body, header, "scp_whsec_abc")).resolves.toMatchObject({
      type: "connection.revoked",
    });
    expect(await signWebhook(body, "scp_whsec_abc", t)).toBe(header);
  });
});
