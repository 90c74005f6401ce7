import { describe, expect, it } from "vitest";
import { connectionIdSchema, newId, newSecret, randomBase62 } from "./index";

describe("ids and secrets", () => {
  it("carry their prefix and enough randomness", () => {
    const id = newId("connection");
    expect(id).toMatch(/^con_[0-9A-Za-z]{22}$/);
    expect(connectionIdSchema.safeParse(id).success).toBe(true);
    expect(newSecret("apiKey")).toMatch(/^scp_sk_[0-9A-Za-z]{43}$/);
    expect(newSecret("sessionToken")).toMatch(/^scp_st_[0-9A-Za-z]{43}$/);
  });

  it("do not repeat and use the whole alphabet", () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newId("session")));
    expect(ids.size).toBe(2000);
    const chars = new Set(randomBase62(20_000));
    expect(chars.size).toBe(62);
  });
});
