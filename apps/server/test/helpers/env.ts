import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A free TCP port on 127.0.0.1 (bound and released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `kid:base64url-32-bytes`, as SCP_ENCRYPTION_KEYS wants. */
export function encryptionKey(kid = "k1"): string {
  return `${kid}:${randomBytes(32).toString("base64url")}`;
}

/** A random admin key (≥ 32 characters). */
export function adminKey(): string {
  return `admin-${randomBytes(24).toString("hex")}`;
}

/** Writes JSON to a fresh temp file and returns its path. */
export function writeTempJson(name: string, value: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "scp-test-"));
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value, null, 2), { mode: 0o600 });
  return path;
}

/** A random suffix for user ids and key prefixes. */
export function uniq(prefix = ""): string {
  return `${prefix}${randomBytes(6).toString("hex")}`;
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then throws `message`). */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  message: string,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out: ${message}`);
    await sleep(50);
  }
}
