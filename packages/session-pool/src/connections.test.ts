import { describe, expect, it } from "vitest";
import { fakeProvider } from "../test/helpers/fake-provider";
import { poolFixture } from "../test/helpers/pool-fixture";
import { tokenRecords } from "../test/helpers/token-records";

describe("connections", () => {
  it("deduplicates the same user+provider+account+client, even under concurrency", async () => {
    const provider = fakeProvider();
    const { pool, events } = poolFixture([provider]);
    const input = () => ({
      userId: "u_1",
      providerId: "fake",
      clientId: "cli_a",
      account: { subject: "alice" },
      tokenSet: provider.issue("alice", ["openid"]),
    });
    const created = await Promise.all(Array.from({ length: 5 }, () => pool.connections.create(input())));
    expect(new Set(created.map((c) => c.id)).size).toBe(1);
    expect(events.filter((e) => e.type === "connection.created")).toHaveLength(1);
    const otherClient = await pool.connections.create({ ...input(), clientId: "cli_b" });
    expect(otherClient.id).not.toBe(created[0]!.id);
    expect((await pool.connections.list({ userId: "u_1" })).items).toHaveLength(2);
  });

  it("lists with filters and cursors without skipping or repeating", async () => {
    const provider = fakeProvider();
    const other = fakeProvider({ id: "other" });
    const { pool } = poolFixture([provider, other]);
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) {
      const p = i % 3 === 0 ? other : provider;
      const c = await pool.connections.create({
        userId: i < 6 ? "u_1" : "u_2",
        providerId: p.id,
        clientId: i % 2 ? "cli_a" : null,
        account: { subject: `s${i}` },
        tokenSet: p.issue(`s${i}`, ["openid"]),
      });
      ids.push(c.id);
    }
    const collect = async (filter: Parameters<typeof pool.connections.list>[0]) => {
      const out: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await pool.connections.list({ ...filter, limit: 2, ...(cursor ? { cursor } : {}) });
        out.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return out;
    };
    expect((await collect({})).sort()).toEqual([...ids].sort());
    expect((await collect({ userId: "u_1", providerId: "fake" })).sort()).toEqual(
      [ids[1], ids[2], ids[4], ids[5]].sort(),
    );
    expect((await collect({ clientId: null })).sort()).toEqual(
      [ids[0], ids[2], ids[4], ids[6], ids[8]].sort(),
    );
    expect((await collect({ ids: [ids[0]!, ids[7]!, "con_missing000000000000000"] })).sort()).toEqual(
      [ids[0], ids[7]].sort(),
    );
    await pool.connections.setStatus(ids[4]!, "needs_reauth", {
      code: "consent_required",
      hint: "Consent again.",
    });
    expect(await collect({ status: "needs_reauth" })).toEqual([ids[4]]);
  });

  it("revoke calls the provider with the refresh token first, erases the tokens, and is idempotent", async () => {
    const provider = fakeProvider();
    const { pool, backend, keyRing, events } = poolFixture([provider]);
    const connection = await pool.connections.create({
      userId: "u_1",
      providerId: "fake",
      clientId: null,
      account: { subject: "alice" },
      tokenSet: provider.issue("alice", ["openid"]),
    });
    const revoked = await pool.connections.revoke(connection.id);
    expect(revoked.status).toBe("revoked");
    expect(provider.stats.revocations).toEqual(["refresh_token"]);
    expect(await tokenRecords(backend, keyRing).raw(connection.id)).toBeUndefined();
    await pool.connections.revoke(connection.id);
    expect(provider.stats.revocations).toHaveLength(1);
    expect(events.filter((e) => e.type === "connection.revoked")).toHaveLength(1);
    // Connecting the account again makes a fresh connection.
    const again = await pool.connections.create({
      userId: "u_1",
      providerId: "fake",
      clientId: null,
      account: { subject: "alice" },
      tokenSet: provider.issue("alice", ["openid"]),
    });
    expect(again.id).not.toBe(connection.id);
    await expect(pool.connections.setStatus(connection.id, "active")).rejects.toMatchObject({
      code: "conflict",
    });
  });

  it("setStatus emits needs_reauth and recovered transitions", async () => {
    const provider = fakeProvider();
    const { pool, events } = poolFixture([provider]);
    const connection = await pool.connections.create({
      userId: "u_1",
      providerId: "fake",
      clientId: null,
      account: { subject: "alice" },
      tokenSet: provider.issue("alice", ["openid"]),
    });
    const marked = await pool.connections.setStatus(connection.id, "needs_reauth", {
      code: "password_changed",
      hint: "Sign in again after the password change.",
    });
    expect(marked.statusReason?.code).toBe("password_changed");
    const restored = await pool.connections.setStatus(connection.id, "active");
    expect(restored.statusReason).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual([
      "connection.created",
      "connection.needs_reauth",
      "connection.recovered",
    ]);
  });

  it("a throwing event listener never breaks the operation", async () => {
    const provider = fakeProvider();
    const { pool } = poolFixture([provider]);
    pool.onEvent(() => {
      throw new Error("listener bug");
    });
    const unsubscribe = pool.onEvent(async () => {
      throw new Error("async listener bug");
    });
    await expect(
      pool.connections.create({
        userId: "u_1",
        providerId: "fake",
        clientId: null,
        account: { subject: "alice" },
        tokenSet: provider.issue("alice", ["openid"]),
      }),
    ).resolves.toBeDefined();
    unsubscribe();
  });
});
