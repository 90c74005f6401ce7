import { AuthRequiredError } from "@securecontext/protocol";
import { describe, expect, it } from "vitest";
import { fakeProvider } from "../test/helpers/fake-provider";
import { poolFixture } from "../test/helpers/pool-fixture";

function fakeApi(provider: ReturnType<typeof fakeProvider>) {
  const calls: Array<{ url: string; authorization: string | null }> = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const authorization = headers.get("authorization");
    calls.push({ url: String(input), authorization });
    const token = authorization?.replace(/^Bearer /, "") ?? "";
    if (!provider.isValidAccessToken(token)) return new Response("unauthorized", { status: 401 });
    return Response.json({ items: ["a", "b", "c"] });
  }) as typeof fetch;
  return { calls, fetchImpl };
}

async function setup(scopes = ["openid", "items.read"]) {
  const provider = fakeProvider();
  const api = fakeApi(provider);
  const fixture = poolFixture([provider], { fetch: api.fetchImpl });
  const connection = await fixture.pool.connections.create({
    userId: "u_1",
    providerId: "fake",
    clientId: null,
    account: { subject: "alice" },
    tokenSet: provider.issue("alice", scopes),
  });
  return { ...fixture, provider, api, connection };
}

describe("actions", () => {
  it("runs an action with a bearer token and validated input", async () => {
    const { pool, api, connection } = await setup();
    const output = await pool.actions.run({
      actionId: "fake.items.list",
      connectionId: connection.id,
      input: { query: "x" },
    });
    expect(output).toEqual({ items: ["a", "b", "c"] });
    expect(api.calls[0]?.authorization).toMatch(/^Bearer at_/);
    const items: unknown[] = [];
    for await (const item of pool.actions.stream({
      actionId: "fake.items.list",
      connectionId: connection.id,
      input: { query: "x" },
    })) {
      items.push(item);
    }
    expect(items).toEqual(["a", "b", "c"]);
  });

  it("names the bad input field and refuses unknown actions", async () => {
    const { pool, connection } = await setup();
    await expect(
      pool.actions.run({ actionId: "fake.items.list", connectionId: connection.id, input: { query: "" } }),
    ).rejects.toMatchObject({ code: "invalid_request", field: "input.query" });
    await expect(
      pool.actions.run({ actionId: "fake.nothing", connectionId: connection.id, input: {} }),
    ).rejects.toMatchObject({ code: "not_found" });
  });

  it("reports insufficient_scope with the missing scopes", async () => {
    const { pool, connection } = await setup(["openid"]);
    const error = await pool.actions
      .run({ actionId: "fake.items.list", connectionId: connection.id, input: { query: "x" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthRequiredError);
    expect(error).toMatchObject({
      code: "insufficient_scope",
      missingScopes: ["items.read"],
      providerId: "fake",
    });
  });

  it("matches scopes through the provider's normalizeScope (full-URL and short forms)", async () => {
    const provider = Object.assign(fakeProvider(), {
      normalizeScope: (scope: string) => scope.replace(/^https:\/\/fake\.example\//, ""),
    });
    const api = fakeApi(provider);
    const { pool } = poolFixture([provider], { fetch: api.fetchImpl });
    const connection = await pool.connections.create({
      userId: "u_1",
      providerId: "fake",
      clientId: null,
      account: { subject: "alice" },
      tokenSet: provider.issue("alice", ["openid", "https://fake.example/items.read"]),
    });
    const output = await pool.actions.run({
      actionId: "fake.items.list",
      connectionId: connection.id,
      input: { query: "x" },
    });
    expect(output).toBeTruthy();
    expect(api.calls).toHaveLength(1);
  });

  it("on a 401 refreshes once and retries once", async () => {
    const { pool, provider, api, connection } = await setup();
    const first = await pool.getAccessToken(connection.id);
    // The API stops accepting the (unexpired) stored token, as after a password change.
    const accepts = provider.isValidAccessToken.bind(provider);
    provider.isValidAccessToken = (t) => t !== first.accessToken && accepts(t);
    const fetchFor = pool.actions.authorizedFetch(connection.id);
    const response = await fetchFor("https://api.fake.test/v1/items?q=1");
    expect(response.status).toBe(200);
    expect(api.calls).toHaveLength(2);
    expect(api.calls[1]?.authorization).not.toBe(api.calls[0]?.authorization);
    expect(provider.stats.refreshGrants).toBe(1);
  });

  it("never sends the token outside the provider's API hosts", async () => {
    const { pool, api, connection } = await setup();
    const fetchFor = pool.actions.authorizedFetch(connection.id);
    await expect(fetchFor("https://evil.test/v1/items")).rejects.toMatchObject({ code: "forbidden" });
    await expect(fetchFor("https://api.fake.test/v2/items")).rejects.toMatchObject({ code: "forbidden" });
    await expect(fetchFor("https://api.fake.test/v1evil/items")).rejects.toMatchObject({ code: "forbidden" });
    expect(api.calls).toHaveLength(0);
  });
});
