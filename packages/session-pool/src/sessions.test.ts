import {
  AuthRequiredError,
  ConflictError,
  RateLimitedError,
  SESSION_MAX_LIFETIME_MS,
} from "@securecontext/protocol";
import { describe, expect, it } from "vitest";
import { fakeProvider } from "../test/helpers/fake-provider";
import { poolFixture } from "../test/helpers/pool-fixture";
import { sha256Hex } from "./keys";

async function setup(overrides: Parameters<typeof poolFixture>[1] = {}) {
  const provider = fakeProvider();
  const fixture = poolFixture([provider], overrides);
  const connect = (userId: string, subject: string, scopes: string[], clientId: string | null = "cli_a") =>
    fixture.pool.connections.create({
      userId,
      providerId: "fake",
      clientId,
      account: { subject },
      tokenSet: provider.issue(subject, scopes),
    });
  return { ...fixture, provider, connect };
}

describe("sessions", () => {
  it("creates a session narrowed to the scopes its connections hold and verifies its token", async () => {
    const { pool, connect, backend, events } = await setup();
    const connection = await connect("u_1", "alice", ["openid", "items.read"]);
    const { session, token } = await pool.sessions.create({
      clientId: "cli_a",
      userId: "u_1",
      agentId: "agent-1",
      connectionIds: [connection.id],
      scopes: ["items.read", "items.write", "mail.send"],
      ttlSeconds: 600,
    });
    expect(token).toMatch(/^scp_st_[0-9A-Za-z]{43}$/);
    expect(session.scopes).toEqual(["items.read"]);
    expect(session.connectionIds).toEqual([connection.id]);
    expect(session.allowTokenAccess).toBe(false);
    expect(events.map((e) => e.type)).toContain("session.created");
    expect((await pool.sessions.verify(token))?.id).toBe(session.id);
    // One character off (never the same character, or 1 run in 62 would compare equal).
    const tampered = `${token.slice(0, -1)}${token.endsWith("x") ? "y" : "x"}`;
    expect(await pool.sessions.verify(tampered)).toBeUndefined();
    expect(await pool.sessions.verify("garbage")).toBeUndefined();
    // Only the hash is stored, never the token.
    const dump = JSON.stringify((await backend.records.list("", { limit: 1000 })).items);
    expect(dump).not.toContain(token);
    expect(dump).toContain(sha256Hex(token));
  });

  it("picks the user's active connections for providerIds and requires one to exist", async () => {
    const { pool, connect } = await setup();
    const mine = await connect("u_1", "alice", ["items.read"]);
    await connect("u_2", "bob", ["items.read"]);
    await connect("u_1", "alice2", ["items.write"], "cli_other");
    const { session } = await pool.sessions.create({
      clientId: "cli_a",
      userId: "u_1",
      providerIds: ["fake"],
      ttlSeconds: 600,
    });
    expect(session.connectionIds).toEqual([mine.id]);
    expect(session.scopes).toEqual(["items.read"]);
    await expect(
      pool.sessions.create({ clientId: "cli_a", userId: "u_3", providerIds: ["fake"], ttlSeconds: 600 }),
    ).rejects.toBeInstanceOf(AuthRequiredError);
  });

  it("rejects connections of another user or client, naming the field", async () => {
    const { pool, connect } = await setup();
    const other = await connect("u_2", "bob", ["items.read"]);
    await expect(
      pool.sessions.create({ clientId: "cli_a", userId: "u_1", connectionIds: [other.id], ttlSeconds: 600 }),
    ).rejects.toMatchObject({ code: "invalid_request", field: "connectionIds[0]" });
    const foreign = await connect("u_1", "alice", ["items.read"], "cli_other");
    await expect(
      pool.sessions.create({
        clientId: "cli_a",
        userId: "u_1",
        connectionIds: [foreign.id],
        ttlSeconds: 600,
      }),
    ).rejects.toMatchObject({ field: "connectionIds[0]" });
    await expect(
      pool.sessions.create({ clientId: "cli_a", userId: "u_1", ttlSeconds: 10 }),
    ).rejects.toMatchObject({ field: "ttlSeconds" });
  });

  it("allows a session without connections: it holds no scopes", async () => {
    const { pool } = await setup();
    const { session } = await pool.sessions.create({
      clientId: null,
      userId: "u_1",
      scopes: ["x"],
      ttlSeconds: 60,
    });
    expect(session.connectionIds).toEqual([]);
    expect(session.scopes).toEqual([]);
  });

  it("with neither connectionIds nor providerIds holds every active connection the creator may use", async () => {
    const { pool, connect } = await setup();
    const read = await connect("u_1", "alice", ["items.read"]);
    const write = await connect("u_1", "alice-work", ["items.write"]);
    const stale = await connect("u_1", "alice-old", ["mail.send"]);
    await pool.connections.setStatus(stale.id, "needs_reauth", { code: "refresh_token_expired", hint: "x" });
    const gone = await connect("u_1", "alice-gone", ["mail.send"]);
    await pool.connections.revoke(gone.id);
    const foreign = await connect("u_1", "alice-elsewhere", ["items.admin"], "cli_other");
    await connect("u_2", "bob", ["items.read"]);

    const { session } = await pool.sessions.create({
      clientId: "cli_a",
      userId: "u_1",
      scopes: ["items.read", "items.write", "items.admin", "mail.send"],
      ttlSeconds: 600,
    });
    expect([...session.connectionIds].sort()).toEqual([read.id, write.id].sort());
    expect([...session.scopes].sort()).toEqual(["items.read", "items.write"]);

    // An admin (clientId null) gets all of the user's active connections, whichever client owns them.
    const { session: admin } = await pool.sessions.create({ clientId: null, userId: "u_1", ttlSeconds: 600 });
    expect([...admin.connectionIds].sort()).toEqual([read.id, write.id, foreign.id].sort());
    expect([...admin.scopes].sort()).toEqual(["items.admin", "items.read", "items.write"]);

    // Explicit lists keep their meaning: an empty connectionIds holds nothing.
    const { session: empty } = await pool.sessions.create({
      clientId: "cli_a",
      userId: "u_1",
      connectionIds: [],
      ttlSeconds: 600,
    });
    expect(empty.connectionIds).toEqual([]);
  });

  it("narrows scopes through the provider's normalizeScope, whichever spelling either side uses", async () => {
    const provider = Object.assign(fakeProvider(), {
      normalizeScope: (scope: string) => scope.replace(/^https:\/\/api\.fake\.test\//, ""),
    });
    const { pool } = poolFixture([provider]);
    const create = (subject: string, scopes: string[]) =>
      pool.connections.create({
        userId: "u_1",
        providerId: "fake",
        clientId: null,
        account: { subject },
        tokenSet: provider.issue(subject, scopes),
      });
    // A connection stored with the long spelling (as an older record might be) and one with the short.
    const long = await create("alice", ["https://api.fake.test/items.read"]);
    const short = await create("alice-2", ["items.write"]);
    const { session } = await pool.sessions.create({
      clientId: null,
      userId: "u_1",
      connectionIds: [long.id, short.id],
      scopes: ["items.read", "https://api.fake.test/items.write", "https://api.fake.test/items.admin"],
      ttlSeconds: 600,
    });
    expect(session.scopes).toEqual(["items.read", "items.write"]);
    const { session: all } = await pool.sessions.create({
      clientId: null,
      userId: "u_1",
      connectionIds: [long.id],
      ttlSeconds: 600,
    });
    expect(all.scopes).toEqual(["items.read"]);
  });

  it("extends up to 24 h after creation, never shortens, and not after revocation", async () => {
    let now = Date.UTC(2030, 0, 1);
    const { pool, events } = await setup({ now: () => now });
    const { session, token } = await pool.sessions.create({
      clientId: null,
      userId: "u_1",
      ttlSeconds: 3600,
    });
    now += 30 * 60_000;
    const extended = await pool.sessions.extend(session.id, 86_400);
    expect(Date.parse(extended.expiresAt)).toBe(Date.parse(session.createdAt) + SESSION_MAX_LIFETIME_MS);
    expect(events.map((e) => e.type)).toContain("session.extended");
    expect((await pool.sessions.verify(token))?.expiresAt).toBe(extended.expiresAt);
    now = Date.parse(extended.expiresAt) + 1;
    expect(await pool.sessions.verify(token)).toBeUndefined();
    expect(await pool.sessions.get(session.id)).toBeUndefined();
    await expect(pool.sessions.extend(session.id, 60)).rejects.toMatchObject({ code: "not_found" });
    const second = await pool.sessions.create({ clientId: null, userId: "u_1", ttlSeconds: 3600 });
    await pool.sessions.revoke(second.session.id);
    await expect(pool.sessions.extend(second.session.id, 60)).rejects.toBeInstanceOf(ConflictError);
  });

  it("revoke is immediate and idempotent", async () => {
    const { pool, events } = await setup();
    const { session, token } = await pool.sessions.create({ clientId: null, userId: "u_1", ttlSeconds: 600 });
    expect(await pool.sessions.verify(token)).toBeDefined(); // now cached
    await pool.sessions.revoke(session.id);
    await pool.sessions.revoke(session.id);
    expect(await pool.sessions.verify(token)).toBeUndefined();
    expect((await pool.sessions.get(session.id))?.revokedAt).toBeDefined();
    expect(events.filter((e) => e.type === "session.revoked")).toHaveLength(1);
    await pool.sessions.revoke("ses_unknown0000000000000000");
  });

  it("lists by client, user and agent with correct cursors", async () => {
    const { pool } = await setup();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      const { session } = await pool.sessions.create({
        clientId: i % 2 ? "cli_a" : "cli_b",
        userId: i < 5 ? "u_1" : "u_2",
        agentId: i % 3 === 0 ? "agent-x" : "agent-y",
        ttlSeconds: 600,
      });
      created.push(session.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await pool.sessions.list({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(seen)).toEqual(new Set(created));
    expect(seen).toHaveLength(7);
    const byUser = await pool.sessions.list({ userId: "u_1", clientId: "cli_a" });
    expect(byUser.items.map((s) => s.id).sort()).toEqual([created[1], created[3]].sort());
    const byAgent = await pool.sessions.list({ agentId: "agent-x" });
    expect(byAgent.items.map((s) => s.id).sort()).toEqual([created[0], created[3], created[6]].sort());
    await pool.sessions.revoke(created[1]!);
    expect((await pool.sessions.list({ clientId: "cli_a" })).items.map((s) => s.id)).not.toContain(
      created[1],
    );
    await expect(pool.sessions.list({ userId: "u_2", cursor: page0Cursor() })).rejects.toMatchObject({
      field: "cursor",
    });
  });

  it("enforces per-user and global caps under concurrency; revocation frees a slot", async () => {
    const { pool } = await setup({ sessionCaps: { perUser: 3, global: 5 } });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        pool.sessions.create({ clientId: null, userId: "u_1", ttlSeconds: 600 }),
      ),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    expect(ok).toHaveLength(3);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ConflictError);
    expect(refused.reason.extra).toMatchObject({ cap: "perUser", limit: 3 });
    await pool.sessions.create({ clientId: null, userId: "u_2", ttlSeconds: 600 });
    await pool.sessions.create({ clientId: null, userId: "u_3", ttlSeconds: 600 });
    const global = await pool.sessions
      .create({ clientId: null, userId: "u_4", ttlSeconds: 600 })
      .catch((e) => e);
    expect(global).toBeInstanceOf(RateLimitedError);
    expect(global.retryAfter).toBeGreaterThan(0);
    const first = (ok[0] as PromiseFulfilledResult<{ session: { id: string } }>).value.session.id;
    await pool.sessions.revoke(first);
    await expect(
      pool.sessions.create({ clientId: null, userId: "u_4", ttlSeconds: 600 }),
    ).resolves.toBeDefined();
  });
});

function page0Cursor(): string {
  return Buffer.from(JSON.stringify({ t: "0000000000000000", c: "x" })).toString("base64url");
}
