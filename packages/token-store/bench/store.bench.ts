/**
 * get + compareAndSet throughput of the token stores against a bare Map.get baseline.
 * Run: node --import tsx --conditions=@securecontext/source packages/token-store/bench/store.bench.ts
 * (Redis is benchmarked in packages/store-redis/bench/store.bench.ts.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bench } from "tinybench";
import {
  createKeyRing,
  encryptedStore,
  fileBackend,
  generateKey,
  memoryStore,
  type TokenStore,
} from "../src/index";
import { printRatios } from "./report";

const value = {
  accessToken: "a".repeat(180),
  refreshToken: "r".repeat(120),
  expiresAt: Date.now() + 3_600_000,
};
const dir = mkdtempSync(join(tmpdir(), "scp-bench-"));
const fileFull = fileBackend({ path: join(dir, "full.sqlite") });
const fileNormal = fileBackend({ path: join(dir, "normal.sqlite"), synchronous: "NORMAL" });
const stores: Array<[string, TokenStore]> = [
  ["memory", memoryStore()],
  ["file (synchronous=FULL)", fileFull.records],
  ["file (synchronous=NORMAL)", fileNormal.records],
  [
    "encrypted(memory)",
    encryptedStore({ store: memoryStore(), keyRing: createKeyRing({ keys: [generateKey()] }) }),
  ],
];

const map = new Map([["con:1", value]]);
const bench = new Bench({ name: "token-store get / compareAndSet", time: 500 });
bench.add("baseline: Map.get", () => {
  if (map.get("con:1") === undefined) throw new Error("missing");
});
for (const [name, store] of stores) {
  await store.set("con:1", value);
  let version = (await store.get("con:1"))!.version;
  bench.add(`${name}: get`, async () => {
    if ((await store.get("con:1")) === undefined) throw new Error("missing");
  });
  bench.add(`${name}: compareAndSet`, async () => {
    const next = await store.compareAndSet("con:1", version, value);
    if (next === null) throw new Error("lost a race in a single-writer bench");
    version = next.version;
  });
}
await bench.run();
printRatios(bench);
await fileFull.close();
await fileNormal.close();
rmSync(dir, { recursive: true, force: true });
