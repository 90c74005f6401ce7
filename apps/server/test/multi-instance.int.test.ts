import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminKey, encryptionKey, freePort, sleep, uniq, writeTempJson } from "./helpers/env";
import {
  approve,
  authorizeAtIdp,
  callback,
  connect,
  createClient,
  createSession,
  GRAPH_MAIL_READ,
  openConsent,
} from "./helpers/flows";
import { api } from "./helpers/http";
import { providerConfig, startIdps, type TestIdps } from "./helpers/idps";
import { redisNamespace } from "./helpers/redis";
import { type ServerProcess, spawnServer } from "./helpers/server";

/**
 * Two server processes on one Redis behave as one: a connect flow crosses instances, a session
 * revoked on one fails on the other at once, and 300 concurrent token requests split across both
 * on an expired Microsoft connection (rotating refresh tokens with reuse detection) cause exactly
 * one refresh at the IdP.
 */

// Redis database 13 is this file's own; keys also carry a unique prefix.
const redis = redisNamespace(13);
let idps: TestIdps;
let one: ServerProcess;
let two: ServerProcess;
const admin = adminKey();
let client: { id: string; apiKey: string };
const userId = uniq("multi-");
let connectionId: string;

beforeAll(async () => {
  const [port1, port2] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port1}`;
  // Access tokens live 16 s. SCP refreshes within 60 s of expiry, capped at half the token's lifetime
  // (so a short-lived token is not refreshed on every call): after 8 s this one is due.
  idps = await startIdps({
    redirectUris: [`${base}/oauth/callback`],
    overrides: { microsoft: { accessTokenTtl: 16 } },
  });
  const env = {
    SCP_STORE: redis.url,
    SCP_REDIS_PREFIX: redis.prefix,
    SCP_ADMIN_KEY: admin,
    SCP_ENCRYPTION_KEYS: encryptionKey(),
    SCP_CONFIG: writeTempJson("scp-config.json", providerConfig(idps)),
    // One public base URL, as behind a load balancer.
    SCP_BASE_URL: base,
    SCP_RATE_LIMIT: "0",
  };
  [one, two] = await Promise.all([spawnServer(env, port1), spawnServer(env, port2)]);
  client = await createClient(one.url, admin, { name: "Multi", allowTokenAccess: true });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([one?.stop(), two?.stop()]);
  await idps?.stop();
  await redis.cleanup();
});

describe("two processes on one Redis", () => {
  it("keeps its state in the shared Redis", async () => {
    const own = await redis.ownKeys();
    const fallback = await redis.defaultPrefixKeys();
    if (own.length === 0 && fallback.length > 0)
      console.warn("SCP_REDIS_PREFIX ignored: keys use the default prefix");
    expect(own.length + fallback.length).toBeGreaterThan(0);
  });

  it("a client created on one instance works on the other", async () => {
    expect((await api(two.url, "GET", "/v1/connections", { token: client.apiKey })).status).toBe(200);
  });

  it("completes a connect flow started on instance 1 on instance 2", async () => {
    const started = await openConsent(one.url, client.apiKey, {
      userId,
      providerId: "microsoft",
      scopes: [GRAPH_MAIL_READ],
    });
    const approved = await approve(one.url, started);
    expect(approved.status).toBe(303);
    const callbackUrl = await authorizeAtIdp(approved.headers.get("location") ?? "");
    const done = await callback(two.url, callbackUrl, started.jar);
    expect([200, 303], done.text.slice(0, 300)).toContain(done.status);
    const status = await api<{ status: string; connectionId: string }>(
      one.url,
      "GET",
      `/v1/connect-requests/${started.requestId}`,
      { token: client.apiKey },
    );
    expect(status.json.status).toBe("completed");
    connectionId = status.json.connectionId;
    const seenOnOne = await api<{ account: { email: string } }>(
      one.url,
      "GET",
      `/v1/connections/${connectionId}`,
      {
        token: client.apiKey,
      },
    );
    expect(seenOnOne.json.account.email).toBe("alice@example.test");
  });

  it("a session revoked on instance 1 fails on instance 2 at once", async () => {
    const session = await createSession(one.url, client.apiKey, { userId, connectionIds: [connectionId] });
    // Warm instance 2's session cache first: revocation must reach it anyway.
    for (let i = 0; i < 3; i += 1) {
      expect((await api(two.url, "GET", "/v1/session", { token: session.token })).status).toBe(200);
    }
    expect(
      (await api(one.url, "DELETE", `/v1/sessions/${session.id}`, { token: client.apiKey })).status,
    ).toBe(204);
    expect((await api(two.url, "GET", "/v1/session", { token: session.token })).status).toBe(401);
    expect((await api(one.url, "GET", "/v1/session", { token: session.token })).status).toBe(401);
  });

  it("a client deleted on instance 1 is refused on instance 2 at once (its key was cached there)", async () => {
    const doomed = await createClient(one.url, admin, { name: "Doomed" });
    // Warm instance 2's key cache: the delete must reach it anyway (the cache holds keys 5 s).
    for (let i = 0; i < 3; i += 1) {
      expect((await api(two.url, "GET", "/v1/connections", { token: doomed.apiKey })).status).toBe(200);
    }
    expect((await api(one.url, "DELETE", `/v1/clients/${doomed.id}`, { token: admin })).status).toBe(204);
    expect((await api(two.url, "GET", "/v1/connections", { token: doomed.apiKey })).status).toBe(401);
    expect((await api(one.url, "GET", "/v1/connections", { token: doomed.apiKey })).status).toBe(401);
  });

  it("300 concurrent token requests across both instances on an expired connection → exactly one refresh", {
    timeout: 90_000,
  }, async () => {
    const first = await api<{ accessToken: string; expiresAt: string }>(
      one.url,
      "POST",
      `/v1/connections/${connectionId}/token`,
      { token: client.apiKey, body: {} },
    );
    expect(first.status, first.text).toBe(200);
    // Wait until the token is due: it expires within min(60 s, lifetime / 2) = 8 s.
    const expiresAt = Date.parse(first.json.expiresAt);
    const wait = expiresAt - 7_000 - Date.now();
    if (wait > 0) await sleep(wait);
    const before = idps.microsoft.stats();
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, index) =>
        api<{ accessToken: string }>(
          index % 2 === 0 ? one.url : two.url,
          "POST",
          `/v1/connections/${connectionId}/token`,
          {
            token: client.apiKey,
            body: {},
          },
        ),
      ),
    );
    const after = idps.microsoft.stats();
    const statuses = new Map<number, number>();
    for (const result of results) statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
    expect(Object.fromEntries(statuses), results.find((r) => r.status !== 200)?.text).toEqual({ 200: 300 });
    const tokens = new Set(results.map((result) => result.json.accessToken));
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).not.toBe(first.json.accessToken);
    expect(after.refreshGrants - before.refreshGrants).toBe(1);
    expect(after.refreshReuseDetections - before.refreshReuseDetections).toBe(0);
    expect(after.tokenErrors - before.tokenErrors).toBe(0);
    // The refreshed token works at the provider, and the connection is still healthy on both.
    const direct = await fetch(new URL("/v1.0/me/messages?$top=1", idps.microsoft.apiBaseUrl), {
      headers: { authorization: `Bearer ${[...tokens][0]}` },
    });
    expect(direct.status).toBe(200);
    for (const instance of [one, two]) {
      const connection = await api<{ status: string }>(
        instance.url,
        "GET",
        `/v1/connections/${connectionId}`,
        {
          token: client.apiKey,
        },
      );
      expect(connection.json.status).toBe("active");
    }
  });

  it("a plain connect on instance 2 also works (both instances serve every route)", async () => {
    const { connectionId: second } = await connect(two.url, client.apiKey, uniq("multi2-"), "google", {});
    expect((await api(one.url, "GET", `/v1/connections/${second}`, { token: client.apiKey })).status).toBe(
      200,
    );
  });
});
