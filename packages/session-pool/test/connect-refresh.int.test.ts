import { ReauthRequiredError } from "@securecontext/protocol";
import { completeAuthorization, type TestIdp } from "@securecontext/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThroughPool, microsoftFor, REDIRECT_URI, startIdp } from "./helpers/idp";
import { poolFixture } from "./helpers/pool-fixture";
import { tokenRecords } from "./helpers/token-records";

describe("end to end against the test IdP (microsoft profile: rotation + reuse detection)", () => {
  let idp: TestIdp;
  beforeAll(async () => {
    idp = await startIdp("microsoft");
  });
  afterAll(async () => {
    await idp?.stop();
  });

  it("connects, runs an action, refreshes exactly once, marks needs_reauth on revocation and recovers", async () => {
    const provider = microsoftFor(idp);
    const { pool, backend, keyRing, events } = poolFixture([provider], { redirectUri: REDIRECT_URI });
    const connectionId = await connectThroughPool(pool, {
      userId: "user-alice",
      user: "alice@example.test",
      scopes: ["Mail.Read"],
    });
    const connection = await pool.connections.get(connectionId);
    expect(connection).toMatchObject({ providerId: "microsoft", status: "active" });
    expect(connection?.account.email).toBe("alice@example.test");
    expect(connection?.scopes).toContain("Mail.Read");

    const output = (await pool.actions.run({
      actionId: "microsoft.mail.search",
      connectionId,
      input: { maxResults: 2 },
    })) as { messages: unknown[] };
    expect(output.messages.length).toBeGreaterThan(0);

    const tokens = tokenRecords(backend, keyRing);
    const before = await tokens.read(connectionId);
    await tokens.expire(connectionId);
    idp.resetStats();
    const results = await Promise.all(Array.from({ length: 100 }, () => pool.getAccessToken(connectionId)));
    expect(idp.stats().refreshGrants).toBe(1);
    expect(idp.stats().refreshReuseDetections).toBe(0);
    expect(new Set(results.map((r) => r.accessToken)).size).toBe(1);
    const after = await tokens.read(connectionId);
    expect(after?.refreshToken).toBeDefined();
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    // The refreshed token works at the API.
    await expect(
      pool.actions.run({ actionId: "microsoft.mail.search", connectionId, input: { maxResults: 1 } }),
    ).resolves.toBeDefined();

    // The person removes the app's access: the next refresh is a reauth failure.
    await idp.revokeGrantsFor("alice@example.test");
    await tokens.expire(connectionId);
    const error = await pool.getAccessToken(connectionId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReauthRequiredError);
    const marked = await pool.connections.get(connectionId);
    expect(marked?.status).toBe("needs_reauth");
    expect(marked?.statusReason?.hint.length).toBeGreaterThan(10);
    expect(events.map((e) => e.type)).toContain("connection.needs_reauth");

    // Reconnecting the same account restores the same connection.
    const again = await connectThroughPool(pool, {
      userId: "user-alice",
      user: "alice@example.test",
      scopes: ["Mail.Read"],
    });
    expect(again).toBe(connectionId);
    expect((await pool.connections.get(connectionId))?.status).toBe("active");
    expect(events.map((e) => e.type)).toContain("connection.recovered");
    await pool.close();
  });

  it("consent denied at the IdP returns the request failed with access_denied; a replayed callback is refused", async () => {
    const { pool, events } = poolFixture([microsoftFor(idp)], { redirectUri: REDIRECT_URI });
    const request = await pool.connect.create({
      clientId: null,
      userId: "user-denied",
      providerId: "microsoft",
    });
    const binding = "binding-denied-0123456789abcdef";
    const authUrl = await pool.connect.begin(request.id, binding);
    expect(authUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authUrl.searchParams.get("nonce")).toBeTruthy();
    const callbackUrl = await completeAuthorization(authUrl, { user: "alice@example.test", approve: false });
    const failed = await pool.connect.complete(callbackUrl, binding);
    expect(failed).toMatchObject({ status: "failed", error: "access_denied" });
    expect(events.map((e) => e.type)).toEqual(["connect_request.failed"]);
    await expect(pool.connect.complete(callbackUrl, binding)).rejects.toMatchObject({
      reason: "invalid_state",
    });
    await pool.close();
  });

  it("a transient token endpoint failure is retried and never marks the connection", async () => {
    const provider = microsoftFor(idp);
    const { pool, backend, keyRing, events } = poolFixture([provider], { redirectUri: REDIRECT_URI });
    const connectionId = await connectThroughPool(pool, { userId: "user-bob", user: "bob@example.test" });
    const tokens = tokenRecords(backend, keyRing);
    await tokens.expire(connectionId);
    idp.inject({ target: "token", kind: "http500", count: 1 });
    const result = await pool.getAccessToken(connectionId);
    expect(result.accessToken).toBeTruthy();
    expect((await pool.connections.get(connectionId))?.status).toBe("active");
    expect(events.some((e) => e.type === "connection.needs_reauth")).toBe(false);
    expect(idp.stats().refreshReuseDetections).toBe(0);
    await pool.close();
  });
});
