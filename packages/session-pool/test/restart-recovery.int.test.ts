import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createKeyRing, fileBackend, generateKey } from "@securecontext/token-store";
import { afterAll, describe, expect, it } from "vitest";
import { fakeProvider } from "./helpers/fake-provider";
import { poolFixture } from "./helpers/pool-fixture";

const READER = fileURLToPath(new URL("./workers/file-reader.ts", import.meta.url));

describe("restart recovery on the file store", () => {
  const dir = mkdtempSync(join(tmpdir(), "scp-pool-file-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("connections, sessions and connect requests written by one process are all readable by a new one", async () => {
    const path = join(dir, "scp.db");
    const keys = [generateKey("k1")];
    const backend = fileBackend({ path, sweepIntervalMs: 0 });
    const provider = fakeProvider();
    const { pool } = poolFixture([provider], { backend, keyRing: createKeyRing({ keys }) });
    const tokenSet = provider.issue("restart", ["openid", "items.read"]);
    const connection = await pool.connections.create({
      userId: "restart-user",
      providerId: "fake",
      clientId: "cli_a",
      account: { subject: "restart" },
      tokenSet,
    });
    const { session, token } = await pool.sessions.create({
      clientId: "cli_a",
      userId: "restart-user",
      connectionIds: [connection.id],
      ttlSeconds: 3600,
    });
    const request = await pool.connect.create({
      clientId: "cli_a",
      userId: "restart-user",
      providerId: "fake",
    });
    await pool.close();
    await backend.close();

    const out = execFileSync(
      process.execPath,
      ["--import", "tsx", "--conditions=@securecontext/source", READER],
      {
        env: {
          ...process.env,
          SCP_WORKER_CONFIG: JSON.stringify({
            path,
            keys,
            connectionId: connection.id,
            sessionId: session.id,
            token,
            connectRequestId: request.id,
          }),
        },
        encoding: "utf8",
      },
    );
    const read = JSON.parse(out.trim().split("\n").pop()!);
    expect(read.connection).toEqual(connection);
    expect(read.listed).toEqual([connection.id]);
    expect(read.accessToken).toBe(tokenSet.accessToken);
    expect(read.verified).toBe(session.id);
    expect(read.session).toEqual(session);
    expect(read.sessions).toEqual([session.id]);
    expect(read.connectRequest).toEqual(request);
  });
});
