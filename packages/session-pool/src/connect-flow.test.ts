import { describe, expect, it } from "vitest";
import { fakeProvider } from "../test/helpers/fake-provider";
import { poolFixture } from "../test/helpers/pool-fixture";
import { keyLayout } from ".";
import { ConnectFlowError } from "./connect-errors";

const BINDING = "browser-binding-value-0123456789";

function callback(authUrl: URL, params: Record<string, string>): URL {
  const url = new URL("http://scp.test/oauth/callback");
  url.searchParams.set("state", authUrl.searchParams.get("state") ?? "");
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url;
}

async function setup(now?: () => number) {
  const provider = fakeProvider();
  const fixture = poolFixture([provider], now ? { now } : {});
  return { ...fixture, provider };
}

describe("connect flow", () => {
  it("creates, begins with state/PKCE/nonce and completes into a connection", async () => {
    const { pool, events, backend } = await setup();
    const request = await pool.connect.create({
      clientId: "cli_a",
      userId: "u_1",
      providerId: "fake",
      scopes: ["items.read"],
      redirectUrl: "https://app.test/done",
    });
    expect(request.status).toBe("pending");
    expect(request.url).toBe(`http://scp.test/connect/${request.id}`);
    expect(Date.parse(request.expiresAt) - Date.parse(request.createdAt)).toBe(600_000);
    const authUrl = await pool.connect.begin(request.id, BINDING);
    expect(authUrl.searchParams.get("state")).toMatch(/^[0-9A-Za-z]{43}$/);
    expect(authUrl.searchParams.get("nonce")).toBeTruthy();
    expect(authUrl.searchParams.get("redirect_uri")).toBe("http://scp.test/oauth/callback");
    // The state record is encrypted at rest (it holds the PKCE verifier).
    const dump = JSON.stringify((await backend.records.list("scp:state:")).items);
    expect(dump).not.toContain(authUrl.searchParams.get("code_challenge"));

    const done = await pool.connect.complete(
      callback(authUrl, { code: "code:alice:openid,items.read" }),
      BINDING,
    );
    expect(done.status).toBe("completed");
    expect(done.connectionId).toMatch(/^con_/);
    const connection = await pool.connections.get(done.connectionId!);
    expect(connection).toMatchObject({ userId: "u_1", clientId: "cli_a", scopes: ["openid", "items.read"] });
    expect(events.map((e) => e.type)).toEqual(["connection.created", "connect_request.completed"]);
    expect((await pool.connect.get(request.id))?.status).toBe("completed");

    // Replay of the same callback: the state is spent.
    const replay = await pool.connect
      .complete(callback(authUrl, { code: "code:alice:openid" }), BINDING)
      .catch((e: unknown) => e);
    expect(replay).toBeInstanceOf(ConnectFlowError);
    expect((replay as ConnectFlowError).reason).toBe("invalid_state");
  });

  it("validates provider and scopes, naming the field", async () => {
    const { pool } = await setup();
    await expect(
      pool.connect.create({ clientId: null, userId: "u", providerId: "nope" }),
    ).rejects.toMatchObject({ field: "providerId" });
    await expect(
      pool.connect.create({
        clientId: null,
        userId: "u",
        providerId: "fake",
        scopes: ["items.read", "root"],
      }),
    ).rejects.toMatchObject({ code: "invalid_request", field: "scopes[1]" });
    const all = await pool.connect.create({ clientId: null, userId: "u", providerId: "fake" });
    expect(all.scopes).toEqual(["openid", "items.read", "items.write"]);
  });

  it("rejects a callback from another browser, consuming the state but leaving the request pending", async () => {
    const { pool, provider } = await setup();
    const request = await pool.connect.create({ clientId: null, userId: "u_1", providerId: "fake" });
    const authUrl = await pool.connect.begin(request.id, BINDING);
    const error = await pool.connect
      .complete(callback(authUrl, { code: "code:mallory:openid" }), "another-browser-binding-000")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "browser_mismatch", code: "forbidden" });
    expect(provider.stats.exchanges).toBe(0);
    expect((await pool.connect.get(request.id))?.status).toBe("pending");
    await expect(
      pool.connect.complete(callback(authUrl, { code: "code:alice:openid" }), BINDING),
    ).rejects.toMatchObject({ reason: "invalid_state" });
    await expect(
      pool.connect.complete(new URL("http://scp.test/oauth/callback?code=x"), BINDING),
    ).rejects.toMatchObject({
      reason: "missing_state",
    });
  });

  it("a provider error=access_denied returns the request failed and emits connect_request.failed", async () => {
    const { pool, events, provider } = await setup();
    const request = await pool.connect.create({
      clientId: null,
      userId: "u_1",
      providerId: "fake",
      redirectUrl: "https://app.test/done",
    });
    const authUrl = await pool.connect.begin(request.id, BINDING);
    const failed = await pool.connect.complete(callback(authUrl, { error: "access_denied" }), BINDING);
    expect(failed).toMatchObject({
      id: request.id,
      status: "failed",
      error: "access_denied",
      redirectUrl: "https://app.test/done",
    });
    expect(provider.stats.exchanges).toBe(0);
    expect(events.map((e) => e.type)).toEqual(["connect_request.failed"]);
    // A hostile error value is not echoed.
    const other = await pool.connect.create({ clientId: null, userId: "u_1", providerId: "fake" });
    const otherUrl = await pool.connect.begin(other.id, BINDING);
    const odd = await pool.connect.complete(callback(otherUrl, { error: "<script>x</script>" }), BINDING);
    expect(odd.error).toBe("server_error");
  });

  it("a failed code exchange fails the request with the OAuth error code", async () => {
    const { pool } = await setup();
    const request = await pool.connect.create({ clientId: null, userId: "u_1", providerId: "fake" });
    const authUrl = await pool.connect.begin(request.id, BINDING);
    const failed = await pool.connect.complete(callback(authUrl, { code: "bogus" }), BINDING);
    expect(failed).toMatchObject({ status: "failed", error: "invalid_grant" });
    expect((await pool.connect.get(request.id))?.status).toBe("failed");
    // The request is final: the same flow cannot be resumed.
    await expect(pool.connect.begin(request.id, BINDING)).rejects.toMatchObject({
      reason: "request_not_pending",
    });
  });

  it("deny marks the request failed once; expired requests cannot begin or complete", async () => {
    let now = Date.now();
    const { pool } = await setup(() => now);
    const request = await pool.connect.create({ clientId: null, userId: "u_1", providerId: "fake" });
    const denied = await pool.connect.deny(request.id);
    expect(denied).toMatchObject({ status: "failed", error: "access_denied" });
    await expect(pool.connect.deny(request.id)).rejects.toMatchObject({ code: "conflict" });
    await expect(pool.connect.begin(request.id, BINDING)).rejects.toMatchObject({
      reason: "request_not_pending",
    });

    const second = await pool.connect.create({ clientId: null, userId: "u_1", providerId: "fake" });
    const authUrl = await pool.connect.begin(second.id, BINDING);
    now += 600_001;
    expect((await pool.connect.get(second.id))?.status).toBe("expired");
    await expect(pool.connect.begin(second.id, BINDING)).rejects.toMatchObject({ reason: "request_expired" });
    // The state expired with the request.
    await expect(
      pool.connect.complete(callback(authUrl, { code: "code:alice:openid" }), BINDING),
    ).rejects.toMatchObject({ reason: "invalid_state" });
  });

  it("concurrent callbacks with one state: exactly one completes", async () => {
    const { pool, provider } = await setup();
    const request = await pool.connect.create({ clientId: null, userId: "u_1", providerId: "fake" });
    const authUrl = await pool.connect.begin(request.id, BINDING);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        pool.connect.complete(callback(authUrl, { code: "code:alice:openid" }), BINDING),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(provider.stats.exchanges).toBe(1);
  });

  it("the exported key layout names exactly the records the pool encrypts (for any keyPrefix)", async () => {
    const provider = fakeProvider();
    const { pool, backend } = poolFixture([provider], { keyPrefix: "deploy7:" });
    const request = await pool.connect.create({ clientId: null, userId: "u_1", providerId: "fake" });
    await pool.connect.begin(request.id, BINDING); // an OAuth state record
    const pending = await pool.connect.create({ clientId: null, userId: "u_2", providerId: "fake" });
    const authUrl = await pool.connect.begin(pending.id, BINDING);
    await pool.connect.complete(callback(authUrl, { code: "code:bob:openid,items.read" }), BINDING); // a token set
    await pool.sessions.create({ clientId: null, userId: "u_2", ttlSeconds: 600 });

    const layout = keyLayout("deploy7:");
    const compactJwe = /^[\w-]+\.[\w-]*\.[\w-]+\.[\w-]+\.[\w-]+$/;
    const items = (await backend.records.list("", { limit: 1000 })).items;
    const encrypted = items.filter(
      ({ record }) => typeof record.value === "string" && compactJwe.test(record.value),
    );
    expect(encrypted.length).toBeGreaterThanOrEqual(2);
    for (const { key, record } of items) {
      const sealed = typeof record.value === "string" && compactJwe.test(record.value);
      expect(layout.isSecret(key), key).toBe(sealed);
      expect(key.startsWith("deploy7:"), key).toBe(true);
    }
    expect(items.some(({ key }) => key.startsWith("deploy7:state:"))).toBe(true);
    expect(items.some(({ key }) => key.startsWith("deploy7:tok:"))).toBe(true);
    // Another prefix's layout claims none of them.
    expect(items.filter(({ key }) => keyLayout("scp:").isSecret(key))).toEqual([]);
  });

  it("accepts any spelling of a scope the provider normalizes and stores the canonical one", async () => {
    const provider = Object.assign(fakeProvider(), {
      normalizeScope: (scope: string) => scope.replace(/^https:\/\/api\.fake\.test\//, ""),
    });
    const { pool } = poolFixture([provider]);
    const request = await pool.connect.create({
      clientId: null,
      userId: "u_1",
      providerId: "fake",
      scopes: ["https://api.fake.test/items.read", "items.read"],
    });
    expect(request.scopes).toEqual(["items.read"]);
    await expect(
      pool.connect.create({
        clientId: null,
        userId: "u_1",
        providerId: "fake",
        scopes: ["https://api.fake.test/not.offered"],
      }),
    ).rejects.toMatchObject({ field: "scopes[0]" });
  });
});
