import { execFile } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { redisBackend } from "../src/index";
import { connectClient } from "./helpers";

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

const port = await freePort();
const pidFile = join(tmpdir(), `scp-redis-outage-${port}.pid`);

async function startRedis(): Promise<void> {
  await exec("redis-server", [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--daemonize",
    "yes",
    "--pidfile",
    pidFile,
    "--requirepass",
    "outage-test-password",
  ]);
  for (let i = 0; i < 100; i++) {
    try {
      await exec("redis-cli", [
        "-p",
        String(port),
        "-a",
        "outage-test-password",
        "--no-auth-warning",
        "ping",
      ]);
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error("redis-server did not start");
}

async function stopRedis(): Promise<void> {
  await exec("redis-cli", [
    "-p",
    String(port),
    "-a",
    "outage-test-password",
    "--no-auth-warning",
    "shutdown",
    "nosave",
  ]).catch(() => undefined);
}

afterAll(async () => {
  // Kill whatever this file started, even if a test failed midway.
  try {
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    if (pid > 0) process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
  rmSync(pidFile, { force: true });
});

describe("redisBackend when Redis goes away", () => {
  it("rejects with StoreError (bounded, no password in the message) and recovers after a restart", async () => {
    await startRedis();
    const url = `redis://default:outage-test-password@127.0.0.1:${port}`;
    const client = await connectClient(url);
    const backend = redisBackend({ client, prefix: "outage:", commandTimeoutMs: 1000 });
    const received: string[] = [];
    await backend.pubsub.subscribe("events", (m) => received.push(m));
    await backend.records.set("con:1", { v: 1 });
    await backend.ping();

    await stopRedis();
    const started = Date.now();
    const errors = await Promise.all([
      backend.records.get("con:1").catch((e: unknown) => e),
      backend.records.compareAndSet("con:1", 1, { v: 2 }).catch((e: unknown) => e),
      backend.locks.acquire("con:1", 1000).catch((e: unknown) => e),
      backend.ping().catch((e: unknown) => e),
    ]);
    expect(Date.now() - started).toBeLessThan(3000);
    for (const error of errors) {
      expect(error).toMatchObject({ name: "StoreError", status: 503 });
      expect((error as Error).message).toMatch(/^Redis \S+/);
      expect((error as Error).message).not.toContain("outage-test-password");
    }

    await startRedis();
    const until = Date.now() + 10_000;
    while (!client.isReady && Date.now() < until) await sleep(50);
    await backend.ping();
    expect((await backend.records.set("con:1", { v: 3 })).version).toBe(1); // no persistence configured here
    expect((await backend.records.get("con:1"))?.value).toEqual({ v: 3 });
    // The subscriber connection re-subscribes by itself.
    const deadline = Date.now() + 10_000;
    while (received.length === 0 && Date.now() < deadline) {
      await backend.pubsub.publish("events", "after-restart");
      await sleep(100);
    }
    expect(received[0]).toBe("after-restart");

    await backend.close();
    await client.close();
    await stopRedis();
  });

  it("a client that is not connected fails fast with StoreError", async () => {
    const { createClient } = await import("redis");
    const client = createClient({ url: `redis://127.0.0.1:${port}` });
    const backend = redisBackend({ client });
    await expect(backend.records.get("k")).rejects.toMatchObject({
      name: "StoreError",
      message: expect.stringMatching(/not connected/),
    });
    await backend.close();
  });
});
