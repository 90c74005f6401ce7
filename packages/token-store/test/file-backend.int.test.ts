import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { fileBackend, generateKey } from "../src/index";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../../..");
const worker = resolve(import.meta.dirname, "fixtures/file-worker.ts");
const dir = mkdtempSync(join(tmpdir(), "scp-file-int-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function spawnWorker(args: string[], secret = ""): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", "--conditions=@securecontext/source", worker, ...args],
    { cwd: root, timeout: 50_000, env: { ...process.env, SCP_TEST_KEY: secret } },
  );
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

describe("fileBackend across processes", () => {
  it("records written by one process are readable by a new process after it exits", async () => {
    const path = join(dir, "restart", "store.sqlite");
    const key = generateKey("k1");
    expect(await spawnWorker(["write", path, "40"], key.secret)).toEqual({ written: 40 });
    expect(await spawnWorker(["read", path], key.secret)).toEqual({ count: 40, lockHeld: true });
  });

  it("4 processes: compare-and-set increments never lose an update; takeOnce and acquire win once", async () => {
    const path = join(dir, "shared", "store.sqlite");
    const setup = fileBackend({ path });
    await setup.records.set("once", "code");
    await setup.close();
    const results = await Promise.all([1, 2, 3, 4].map(() => spawnWorker(["increment", path, "50"])));
    const check = fileBackend({ path });
    const counter = await check.records.get<number>("counter");
    await check.close();
    expect(counter?.value).toBe(200);
    expect(counter?.version).toBe(200);
    expect(results.filter((r) => r.gotOnce)).toHaveLength(1);
    expect(results.filter((r) => r.fence !== null)).toHaveLength(1);
  });

  it("4 processes: batched counter increments give every request its own exact count", async () => {
    const path = join(dir, "counters", "store.sqlite");
    const results = await Promise.all([1, 2, 3, 4].map(() => spawnWorker(["count", path, "100"])));
    const counts = results.flatMap((r) => r.counts as number[]).sort((a, b) => a - b);
    expect(counts).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
  });
});
