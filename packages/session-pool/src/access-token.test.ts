import { ReauthRequiredError, TransportError } from "@securecontext/protocol";
import { createKeyRing, generateKey } from "@securecontext/token-store";
import { describe, expect, it } from "vitest";
import { fakeProvider } from "../test/helpers/fake-provider";
import { poolFixture } from "../test/helpers/pool-fixture";
import { tokenRecords } from "../test/helpers/token-records";

async function setup(options: { rotate?: boolean } = {}) {
  const provider = fakeProvider({ rotate: options.rotate ?? true });
  const fixture = poolFixture([provider]);
  const connection = await fixture.pool.connections.create({
    userId: "u_1",
    providerId: "fake",
    clientId: null,
    account: { subject: "alice" },
    tokenSet: provider.issue("alice", ["openid", "items.read"]),
  });
  const tokens = tokenRecords(fixture.backend, fixture.keyRing);
  return { provider, ...fixture, connection, tokens };
}

describe("getAccessToken", () => {
  it("returns the stored token while it is fresh, without calling the provider", async () => {
    const { pool, provider, connection } = await setup();
    const first = await pool.getAccessToken(connection.id);
    const second = await pool.getAccessToken(connection.id);
    expect(second.accessToken).toBe(first.accessToken);
    expect(provider.stats.refreshGrants).toBe(0);
    expect(first.tokenType).toBe("Bearer");
    expect(first.scopes).toEqual(["openid", "items.read"]);
  });

  it("refreshes an expired token once for 200 concurrent callers and stores the rotated refresh token first", async () => {
    const { pool, provider, connection, tokens, events } = await setup();
    const before = await tokens.read(connection.id);
    await tokens.expire(connection.id);
    const results = await Promise.all(Array.from({ length: 200 }, () => pool.getAccessToken(connection.id)));
    expect(provider.stats.refreshGrants).toBe(1);
    expect(provider.stats.reuseDetections).toBe(0);
    expect(new Set(results.map((r) => r.accessToken)).size).toBe(1);
    const after = await tokens.read(connection.id);
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    expect(after?.accessToken).toBe(results[0]?.accessToken);
    expect(provider.isValidAccessToken(results[0]!.accessToken)).toBe(true);
    expect(events.filter((e) => e.type === "connection.refreshed")).toHaveLength(1);
    const connectionAfter = await pool.connections.get(connection.id);
    expect(connectionAfter?.lastRefreshedAt).toBeDefined();
  });

  it("keeps the old refresh token when the provider does not rotate", async () => {
    const { pool, connection, tokens } = await setup({ rotate: false });
    const before = await tokens.read(connection.id);
    await tokens.expire(connection.id);
    await pool.getAccessToken(connection.id);
    expect((await tokens.read(connection.id))?.refreshToken).toBe(before?.refreshToken);
  });

  it("forceRefresh from many callers holding the same token refreshes once", async () => {
    const { pool, provider, connection } = await setup();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => pool.getAccessToken(connection.id, { forceRefresh: true })),
    );
    expect(provider.stats.refreshGrants).toBe(1);
    expect(new Set(results.map((r) => r.accessToken)).size).toBe(1);
  });

  it("never stores the token set in plaintext", async () => {
    const { connection, tokens } = await setup();
    const raw = await tokens.raw(connection.id);
    const plain = await tokens.read(connection.id);
    expect(typeof raw).toBe("string");
    expect(String(raw).split(".")).toHaveLength(5);
    expect(String(raw)).not.toContain(plain!.refreshToken!);
    expect(String(raw)).not.toContain(plain!.accessToken);
  });

  it("reads token sets under an old key after rotation and re-encrypts them lazily", async () => {
    const { backend, connection, tokens } = await setup();
    const oldKey = generateKey("old");
    const provider = fakeProvider();
    const first = poolFixture([provider], { backend, keyRing: createKeyRing({ keys: [oldKey] }) });
    const created = await first.pool.connections.create({
      userId: "u_rot",
      providerId: "fake",
      clientId: null,
      account: { subject: "rot" },
      tokenSet: provider.issue("rot", ["openid"]),
    });
    const rotated = createKeyRing({ keys: [generateKey("new"), oldKey] });
    expect(rotated.kidOf(String(await tokens.raw(created.id)))).toBe("old");
    const second = poolFixture([provider], { backend, keyRing: rotated });
    await expect(second.pool.getAccessToken(created.id)).resolves.toBeDefined();
    expect(rotated.kidOf(String(await tokens.raw(created.id)))).toBe("new");
    // A ring without the old key cannot read it: a clear error, never garbage.
    const foreign = poolFixture([provider], {
      backend,
      keyRing: createKeyRing({ keys: [generateKey("other")] }),
    });
    await expect(foreign.pool.getAccessToken(connection.id)).rejects.toMatchObject({
      name: "DecryptionError",
    });
  });

  it("retries transient failures and leaves the connection active", async () => {
    const { pool, provider, connection, tokens, events } = await setup();
    await tokens.expire(connection.id);
    provider.failNextRefresh("transient", "transient");
    const result = await pool.getAccessToken(connection.id);
    expect(provider.isValidAccessToken(result.accessToken)).toBe(true);
    expect((await pool.connections.get(connection.id))?.status).toBe("active");
    expect(events.some((e) => e.type === "connection.needs_reauth")).toBe(false);
  });

  it("gives up after bounded transient retries without marking the connection", async () => {
    const { pool, provider, connection, tokens, events } = await setup();
    await tokens.expire(connection.id);
    provider.failNextRefresh("transient", "transient", "transient");
    await expect(pool.getAccessToken(connection.id)).rejects.toBeInstanceOf(TransportError);
    expect((await pool.connections.get(connection.id))?.status).toBe("active");
    expect(events).toContainEqual(
      expect.objectContaining({
        type: "connection.refresh_failed",
        connectionId: connection.id,
        transient: true,
      }),
    );
    // The next call succeeds with the same (unused) refresh token.
    const result = await pool.getAccessToken(connection.id);
    expect(provider.isValidAccessToken(result.accessToken)).toBe(true);
  });

  it("marks needs_reauth on a reauth failure, then recovers on reconnect", async () => {
    const { pool, provider, connection, tokens, events } = await setup();
    await tokens.expire(connection.id);
    provider.failNextRefresh("invalid_grant");
    const error = await pool.getAccessToken(connection.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReauthRequiredError);
    expect((error as ReauthRequiredError).reason).toBe("refresh_token_revoked");
    const marked = await pool.connections.get(connection.id);
    expect(marked?.status).toBe("needs_reauth");
    expect(marked?.statusReason?.code).toBe("refresh_token_revoked");
    expect(marked?.statusReason?.hint).toMatch(/Connect again/);
    expect(events.map((e) => e.type)).toContain("connection.needs_reauth");
    // Later calls fail fast without calling the provider.
    const grants = provider.stats.refreshGrants;
    await expect(pool.getAccessToken(connection.id)).rejects.toBeInstanceOf(ReauthRequiredError);
    expect(provider.stats.refreshGrants).toBe(grants);
    // Reconnecting the same account restores it.
    const again = await pool.connections.create({
      userId: "u_1",
      providerId: "fake",
      clientId: null,
      account: { subject: "alice" },
      tokenSet: provider.issue("alice", ["openid", "items.read"]),
    });
    expect(again.id).toBe(connection.id);
    expect(again.status).toBe("active");
    expect(again.statusReason).toBeUndefined();
    expect(events.map((e) => e.type)).toContain("connection.recovered");
    await expect(pool.getAccessToken(connection.id)).resolves.toBeDefined();
  });

  it("a revoked or unknown connection gives a clear error", async () => {
    const { pool, connection } = await setup();
    await expect(pool.getAccessToken("con_doesnotexist0000000000")).rejects.toMatchObject({
      code: "not_found",
    });
    await pool.connections.revoke(connection.id);
    await expect(pool.getAccessToken(connection.id)).rejects.toMatchObject({
      code: "conflict",
      extra: { connectionStatus: "revoked" },
    });
  });

  it("authorize sees the owner before the status, and a refusal reads exactly like a missing connection", async () => {
    const { pool, connection } = await setup();
    const seen: unknown[] = [];
    const ok = await pool.getAccessToken(connection.id, {
      authorize: (owner) => {
        seen.push(owner);
        return owner.userId === "u_1";
      },
    });
    expect(ok.accessToken).toBeTruthy();
    expect(seen).toEqual([{ id: connection.id, userId: "u_1", providerId: "fake", clientId: null }]);

    await pool.connections.revoke(connection.id);
    const refused = await pool.getAccessToken(connection.id, { authorize: () => false }).catch((e) => e);
    const missing = await pool.getAccessToken("con_doesnotexist0000000000").catch((e) => e);
    // Refused before the revoked status is looked at: no 409 that would tell it exists.
    expect(refused).toMatchObject({ code: "not_found", message: missing.message });
  });

  it("reads the signal option only when it has to wait, so a warm call never builds one", async () => {
    const { pool, connection, tokens } = await setup();
    let reads = 0;
    const options = {
      get signal() {
        reads++;
        return new AbortController().signal;
      },
    };
    await pool.getAccessToken(connection.id, options);
    expect(reads).toBe(0);
    await tokens.expire(connection.id);
    await pool.getAccessToken(connection.id, options);
    expect(reads).toBe(1);
  });

  it("does not refresh every call when the provider's tokens live shorter than the skew", async () => {
    const provider = fakeProvider({ accessTokenTtlMs: 20_000 });
    const { pool } = poolFixture([provider]);
    const connection = await pool.connections.create({
      userId: "u_1",
      providerId: "fake",
      clientId: null,
      account: { subject: "bob" },
      tokenSet: provider.issue("bob", ["openid"]),
    });
    for (let i = 0; i < 5; i++) await pool.getAccessToken(connection.id);
    expect(provider.stats.refreshGrants).toBe(0);
  });
});
