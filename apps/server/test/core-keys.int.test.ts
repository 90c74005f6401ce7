import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileBackend } from "@securecontext/token-store";
import { afterAll, describe, expect, it } from "vitest";
import { uniq } from "./helpers/env";
import { approve, connect, GMAIL_READONLY, openConsent } from "./helpers/flows";
import { repoRoot, startTestServer } from "./helpers/server";

/**
 * Core: `securecontext keys rotate` re-encrypts every record the session pool encrypts (token sets
 * and pending OAuth state), so after it no stored record is sealed under the old key id.
 */

const OLD = "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const NEW = "k2:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
const dir = mkdtempSync(join(tmpdir(), "scp-rotate-"));
const dbPath = join(dir, "scp.db");

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The `kid` of every compact JWE in the raw store, by record key. */
async function kidsAtRest(): Promise<Map<string, string>> {
  const backend = fileBackend({ path: dbPath });
  try {
    const kids = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const page = await backend.records.list("", { limit: 500, ...(cursor ? { cursor } : {}) });
      for (const { key, record } of page.items) {
        const value = record.value;
        if (typeof value !== "string" || value.split(".").length !== 5) continue;
        const header = JSON.parse(Buffer.from(value.split(".")[0] ?? "", "base64url").toString()) as {
          kid?: string;
        };
        kids.set(key, header.kid ?? "");
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return kids;
  } finally {
    await backend.close();
  }
}

describe("core: keys rotate", () => {
  it("leaves no record under the old key id", async () => {
    const server = await startTestServer({
      env: { SCP_STORE: `file:${dbPath}`, SCP_ENCRYPTION_KEYS: OLD, SCP_DATA_DIR: dir },
    });
    try {
      await connect(server.url, server.adminKey, uniq("rotate-"), "google", { scopes: [GMAIL_READONLY] });
      await connect(server.url, server.adminKey, uniq("rotate-"), "microsoft");
      // A flow left half-way: its OAuth state (PKCE verifier, nonce) is encrypted too.
      const started = await openConsent(server.url, server.adminKey, {
        userId: uniq("rotate-"),
        providerId: "google",
      });
      expect((await approve(server.url, started)).status).toBe(303);
    } finally {
      await server.close();
    }
    const before = await kidsAtRest();
    expect([...before.values()].filter((kid) => kid === "k1").length).toBeGreaterThanOrEqual(3);

    const rotated = spawnSync(
      process.execPath,
      ["--import", "tsx", "--conditions=@securecontext/source", "apps/server/src/cli.ts", "keys", "rotate"],
      {
        cwd: repoRoot,
        encoding: "utf8",
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "/tmp",
          NODE_ENV: "test",
          SCP_STORE: `file:${dbPath}`,
          SCP_ENCRYPTION_KEYS: `${NEW},${OLD}`,
          SCP_ADMIN_KEY: "admin-key-for-tests-0123456789abcdef",
          SCP_DATA_DIR: dir,
          SCP_LOG_LEVEL: "silent",
        },
        timeout: 60_000,
      },
    );
    expect(rotated.status, `${rotated.stdout}\n${rotated.stderr}`).toBe(0);
    expect(rotated.stdout).toContain("failed: 0");

    const after = await kidsAtRest();
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const stillOld = [...after.entries()].filter(([, kid]) => kid !== "k2");
    expect(stillOld).toEqual([]);
    expect(rotated.stdout).toContain(`re-encrypted: ${before.size}`);
  });
});
