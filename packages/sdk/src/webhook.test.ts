import { describe, expect, it } from "vitest";
import { WebhookVerificationError } from "./errors";
import { signWebhook, verifyWebhook } from "./webhook";

const secret = "scp_whsec_test_secret_value";
const event = {
  id: "evt_1",
  type: "connection.created",
  createdAt: "2025-01-01T00:00:00.000Z",
  data: { connectionId: "con_1" },
};
const body = JSON.stringify(event);
const now = 1_700_000_000_000;
const t = now / 1000;

async function reason(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return (error as WebhookVerificationError).reason;
}

describe("verifyWebhook", () => {
  it("accepts a correctly signed delivery and returns the event", async () => {
    const header = await signWebhook(body, secret, t);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    await expect(verifyWebhook(body, header, secret, { now })).resolves.toEqual(event);
    await expect(verifyWebhook(new TextEncoder().encode(body), header, secret, { now })).resolves.toEqual(
      event,
    );
  });

  it("matches an independent HMAC-SHA256 computation", async () => {
    const { createHmac } = await import("node:crypto");
    const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
    expect(await signWebhook(body, secret, t)).toBe(`t=${t},v1=${expected}`);
  });

  it("rejects a tampered body, a tampered signature, and the wrong secret", async () => {
    const header = await signWebhook(body, secret, t);
    expect(await reason(verifyWebhook(body.replace("con_1", "con_2"), header, secret, { now }))).toBe(
      "bad_signature",
    );
    const flipped = header.slice(0, -1) + (header.endsWith("0") ? "1" : "0");
    expect(await reason(verifyWebhook(body, flipped, secret, { now }))).toBe("bad_signature");
    expect(await reason(verifyWebhook(body, header, `${secret}x`, { now }))).toBe("bad_signature");
    // The timestamp is part of what is signed: moving it invalidates the signature.
    const moved = header.replace(`t=${t}`, `t=${t + 1}`);
    expect(await reason(verifyWebhook(body, moved, secret, { now }))).toBe("bad_signature");
  });

  it("enforces the replay window in both directions", async () => {
    const old = await signWebhook(body, secret, t - 301);
    expect(await reason(verifyWebhook(body, old, secret, { now }))).toBe("stale_timestamp");
    const future = await signWebhook(body, secret, t + 301);
    expect(await reason(verifyWebhook(body, future, secret, { now }))).toBe("stale_timestamp");
    const edge = await signWebhook(body, secret, t - 300);
    await expect(verifyWebhook(body, edge, secret, { now })).resolves.toEqual(event);
    expect(await reason(verifyWebhook(body, edge, secret, { now, toleranceSec: 60 }))).toBe(
      "stale_timestamp",
    );
  });

  it("rejects malformed headers", async () => {
    for (const header of [null, "", "v1=abcd", `t=${t}`, `t=abc,v1=00`, `t=${t},v1=zz`, `t=${t},v1=abc`]) {
      expect(await reason(verifyWebhook(body, header, secret, { now }))).toBe("malformed_header");
    }
  });

  it("accepts any one of several v1 signatures (secret rotation)", async () => {
    const good = await signWebhook(body, secret, t);
    const other = await signWebhook(body, "old-secret", t);
    const header = `${other},${good.split(",")[1]}`;
    await expect(verifyWebhook(body, header, secret, { now })).resolves.toEqual(event);
  });

  it("rejects a validly signed body that is not an SCP event", async () => {
    const bogus = JSON.stringify({ hello: "world" });
    expect(await reason(verifyWebhook(bogus, await signWebhook(bogus, secret, t), secret, { now }))).toBe(
      "invalid_body",
    );
    expect(
      await reason(verifyWebhook("not json", await signWebhook("not json", secret, t), secret, { now })),
    ).toBe("invalid_body");
  });
});
