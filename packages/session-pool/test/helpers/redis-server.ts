import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "redis";

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * A private redis-server with an append-only file fsynced on every write, so it can be killed and
 * restarted on the same port without losing data. `remove()` kills it and deletes its directory.
 */
export async function startRedisServer() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "scp-redis-"));
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;

  const waitReady = async () => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = createClient({ url, socket: { reconnectStrategy: false } });
      client.on("error", () => {});
      try {
        await client.connect();
        const loading = await client.info("persistence");
        await client.quit();
        if (!/loading:1/.test(loading)) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error("redis-server did not start");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const start = async () => {
    child = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--dir",
        dir,
      ],
      { stdio: "ignore" },
    );
    await waitReady();
  };

  /** SIGKILL: an outage with no chance to save anything beyond the fsynced AOF. */
  const kill = async () => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      current.once("exit", () => resolve());
      current.kill("SIGKILL");
    });
  };

  await start();
  return {
    url,
    port,
    kill,
    restart: start,
    async remove() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
