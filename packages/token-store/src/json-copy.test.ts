import { describe, expect, it } from "vitest";
import { copyableJson, copyJson } from "./json-copy";
import { memoryStore } from "./memory-store";

describe("copyJson", () => {
  it("gives what a fresh JSON.parse gives, sharing nothing with its source", () => {
    const text = JSON.stringify({ b: 1, a: [1, "x", { c: null, d: true }], 2: "two", n: -0.5, e: {} });
    const source = JSON.parse(text);
    const copy = copyJson(source);
    expect(copy).toStrictEqual(JSON.parse(text));
    expect(JSON.stringify(copy)).toBe(text);
    expect(Object.keys(copy)).toEqual(Object.keys(source));
    copy.a[2].c = "changed";
    copy.a.push(9);
    expect(source).toStrictEqual(JSON.parse(text));
  });

  it("copies own members only, even when Object.prototype was polluted", () => {
    const source = JSON.parse('{"a":1}');
    Object.defineProperty(Object.prototype, "polluted", {
      value: 1,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    try {
      expect(Object.hasOwn(copyJson(source), "polluted")).toBe(false);
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
  });

  it("refuses texts with a __proto__ key and large texts", () => {
    expect(copyableJson('{"a":1}')).toBe(true);
    expect(copyableJson('{"__proto__":{"admin":true}}')).toBe(false);
    expect(copyableJson(JSON.stringify({ big: "x".repeat(5000) }))).toBe(false);
  });
});

describe("memory store reads", () => {
  it("hand every reader its own copy: changing one read changes neither the store nor other reads", async () => {
    const store = memoryStore({ sweepIntervalMs: 0 });
    await store.set("k", { scopes: ["a"], account: { email: "a@example.com" } });
    const first = await store.get<{ scopes: string[]; account: { email: string } }>("k");
    const second = await store.get<{ scopes: string[]; account: { email: string } }>("k");
    first?.value.scopes.push("b");
    if (first) first.value.account.email = "evil@example.com";
    expect(second?.value).toEqual({ scopes: ["a"], account: { email: "a@example.com" } });
    expect((await store.get("k"))?.value).toEqual({ scopes: ["a"], account: { email: "a@example.com" } });
    await store.close();
  });

  it("keep a __proto__ key an own member, as JSON.parse does, on every read", async () => {
    const store = memoryStore({ sweepIntervalMs: 0 });
    await store.set("k", JSON.parse('{"__proto__":{"admin":true},"a":1}'));
    for (let i = 0; i < 2; i++) {
      const value = (await store.get<Record<string, unknown>>("k"))?.value as Record<string, unknown>;
      expect(Object.hasOwn(value, "__proto__")).toBe(true);
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect((value as { admin?: boolean }).admin).toBeUndefined();
    }
    await store.close();
  });

  it("read the new value after a write", async () => {
    const store = memoryStore({ sweepIntervalMs: 0 });
    await store.set("k", { n: 1 });
    expect((await store.get("k"))?.value).toEqual({ n: 1 });
    await store.set("k", { n: 2 });
    expect((await store.get("k"))?.value).toEqual({ n: 2 });
    await store.close();
  });
});
