import { describe, expect, it } from "vitest";
import { createKeyRing, generateKey } from "./key-ring";

const a = generateKey("a");
const b = generateKey("b");

function flip(jwe: string, part: number, index = 5): string {
  const parts = jwe.split(".");
  const segment = parts[part]!;
  const c = segment[index] === "A" ? "B" : "A";
  parts[part] = segment.slice(0, index) + c + segment.slice(index + 1);
  return parts.join(".");
}

describe("createKeyRing", () => {
  it("encrypts as compact JWE dir/A256GCM with the kid and round-trips", async () => {
    const ring = createKeyRing({ keys: [a] });
    const jwe = await ring.encrypt({ refreshToken: "rt-secret", n: 1 });
    expect(jwe.split(".")).toHaveLength(5);
    expect(jwe.split(".")[1]).toBe(""); // dir: no encrypted key
    const header = JSON.parse(Buffer.from(jwe.split(".")[0]!, "base64url").toString());
    expect(header).toEqual({ alg: "dir", enc: "A256GCM", kid: "a" });
    expect(jwe).not.toContain("rt-secret");
    expect(await ring.decrypt(jwe)).toEqual({
      value: { refreshToken: "rt-secret", n: 1 },
      kid: "a",
      stale: false,
    });
    expect(ring.kidOf(jwe)).toBe("a");
    expect(await ring.encrypt("same")).not.toBe(await ring.encrypt("same")); // fresh IV each time
  });

  it("first key encrypts, every key decrypts; old-key values are stale", async () => {
    const old = createKeyRing({ keys: [a] });
    const rotated = createKeyRing({ keys: [b, a] });
    expect(rotated.currentKid).toBe("b");
    expect(rotated.kids).toEqual(["b", "a"]);
    const jwe = await old.encrypt("v");
    expect(await rotated.decrypt(jwe)).toEqual({ value: "v", kid: "a", stale: true });
    expect(rotated.kidOf(await rotated.encrypt("v"))).toBe("b");
  });

  it("rejects tampering in every segment, truncation and garbage with DecryptionError", async () => {
    const ring = createKeyRing({ keys: [a] });
    const jwe = await ring.encrypt({ refreshToken: "rt-secret" });
    const bad = [
      flip(jwe, 2), // iv
      flip(jwe, 3), // ciphertext
      flip(jwe, 4), // tag
      jwe.slice(0, -4),
      jwe.split(".").slice(0, 4).join("."),
      `${jwe}.x`,
      "",
      "not a jwe",
      "a.b.c.d.e",
    ];
    for (const input of bad) {
      await expect(ring.decrypt(input), input).rejects.toMatchObject({ name: "DecryptionError" });
    }
  });

  it("rejects a header edited to another kid, alg or context", async () => {
    const ring = createKeyRing({ keys: [a, b] });
    const jwe = await ring.encrypt("v", { context: "record-1" });
    const [, ...rest] = jwe.split(".");
    const header = JSON.parse(Buffer.from(jwe.split(".")[0]!, "base64url").toString());
    for (const edit of [
      { kid: "b" },
      { ctx: "record-2" },
      { enc: "A128GCM" },
      { alg: "A256KW" },
      { zip: "DEF" },
    ]) {
      const forged = [
        Buffer.from(JSON.stringify({ ...header, ...edit })).toString("base64url"),
        ...rest,
      ].join(".");
      await expect(ring.decrypt(forged, { context: "record-1" })).rejects.toMatchObject({
        name: "DecryptionError",
      });
    }
  });

  it("binds the context: a ciphertext read under another context fails", async () => {
    const ring = createKeyRing({ keys: [a] });
    const jwe = await ring.encrypt("v", { context: "connection:1" });
    expect((await ring.decrypt(jwe, { context: "connection:1" })).value).toBe("v");
    await expect(ring.decrypt(jwe, { context: "connection:2" })).rejects.toMatchObject({
      name: "DecryptionError",
    });
    await expect(ring.decrypt(jwe)).rejects.toMatchObject({ name: "DecryptionError" });
  });

  it("rejects a foreign key (same kid, other secret) and an unknown kid", async () => {
    const foreign = createKeyRing({ keys: [generateKey("a")] });
    const ring = createKeyRing({ keys: [a] });
    await expect(ring.decrypt(await foreign.encrypt("v"))).rejects.toMatchObject({ name: "DecryptionError" });
    const unknown = createKeyRing({ keys: [generateKey("zzz")] });
    await expect(ring.decrypt(await unknown.encrypt("v"))).rejects.toThrow(/no key "zzz"/);
  });

  it("validates configuration without echoing secrets", () => {
    expect(() => createKeyRing({ keys: [] })).toThrow(/at least one key/);
    expect(() => createKeyRing({ keys: [a, { ...b, kid: "a" }] })).toThrow(/twice/);
    expect(() => createKeyRing({ keys: [{ kid: "bad kid", secret: a.secret }] })).toThrow(/kid/);
    const short = { kid: "s", secret: Buffer.alloc(16, 7).toString("base64url") };
    let message = "";
    try {
      createKeyRing({ keys: [short] });
    } catch (error) {
      message = (error as Error).message;
      expect(error).toMatchObject({ name: "ConfigError", field: "keys[0].secret" });
    }
    expect(message).not.toContain(short.secret);
  });

  it("generateKey makes 32 random bytes", () => {
    const key = generateKey();
    expect(key.kid).toMatch(/^k_/);
    expect(Buffer.from(key.secret, "base64url")).toHaveLength(32);
    expect(generateKey().secret).not.toBe(key.secret);
  });
});
