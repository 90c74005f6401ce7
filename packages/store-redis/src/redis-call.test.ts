import { describe, expect, it } from "vitest";
import type { RedisClientLike } from "./client";
import { redactCredentials, redisCaller } from "./redis-call";
import { acquireLease } from "./scripts";

function fakeClient(reply: (args: ReadonlyArray<string>) => unknown, ready = true) {
  const calls: string[][] = [];
  const client: RedisClientLike = {
    isReady: ready,
    async sendCommand<T>(args: ReadonlyArray<string>) {
      calls.push([...args]);
      return reply(args) as T;
    },
    duplicate() {
      throw new Error("not used");
    },
  };
  return { client, calls };
}

describe("redisCaller", () => {
  it("falls back from EVALSHA to EVAL on NOSCRIPT", async () => {
    const { client, calls } = fakeClient((args) => {
      if (args[0] === "EVALSHA") throw new Error("NOSCRIPT No matching script. Please use EVAL.");
      return 7;
    });
    const call = redisCaller(client, () => {}, 1000);
    expect(await call.script("lock acquire", acquireLease, ["l", "f"], ["tok", "100"])).toBe(7);
    expect(calls.map((c) => c[0])).toEqual(["EVALSHA", "EVAL"]);
    expect(calls[1]).toEqual(["EVAL", acquireLease.source, "2", "l", "f", "tok", "100"]);
  });

  it("wraps failures in StoreError without credentials and fails fast when disconnected", async () => {
    const { client } = fakeClient(() => {
      throw new Error("connect ECONNREFUSED via redis://admin:hunter2@db.internal:6379");
    });
    const call = redisCaller(client, () => {}, 1000);
    const error = await call.command("get", ["GET", "k"]).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "StoreError", status: 503 });
    expect((error as Error).message).toContain("ECONNREFUSED");
    expect((error as Error).message).not.toContain("hunter2");
    const offline = fakeClient(() => 1, false);
    await expect(redisCaller(offline.client, () => {}, 1000).command("get", ["GET", "k"])).rejects.toThrow(
      /not connected/,
    );
    expect(offline.calls).toEqual([]);
  });

  it("redacts userinfo of any URL scheme", () => {
    expect(redactCredentials("rediss://u:p%40ss@h:1/0 and redis://:only-pass@x")).toBe(
      "rediss://***@h:1/0 and redis://***@x",
    );
  });
});
