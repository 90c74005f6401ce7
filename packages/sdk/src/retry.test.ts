import {
  AuthRequiredError,
  RateLimitedError,
  TransportError,
  UnexpectedResponseError,
  UpstreamError,
} from "@securecontext/protocol";
import { describe, expect, it } from "vitest";
import type { Clock } from "./abort";
import { createClient } from "./client";
import { backoffDelay, parseRetryAfter, runWithRetry } from "./retry";

/** A clock whose sleeps complete at once and advance time; records every wait. */
function fakeClock(start = 1_700_000_000_000): Clock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    async sleep(ms, signal) {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      now += ms;
    },
  };
}

type Scripted = Response | Error | ((init: RequestInit | undefined) => Promise<Response>);

function scriptedFetch(script: Scripted[]) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    const next = script.shift();
    if (next === undefined) throw new Error("unexpected extra request");
    if (next instanceof Error) throw next;
    if (typeof next === "function") return next(init);
    return next;
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const problem = (
  status: number,
  code: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) =>
  new Response(
    JSON.stringify({ type: "about:blank", title: code, status, detail: `${code} detail`, code, ...extra }),
    {
      status,
      headers: { "content-type": "application/problem+json", ...headers },
    },
  );
const session = {
  id: "ses_0123456789012345678901",
  userId: "u_1",
  agentId: null,
  clientId: null,
  connectionIds: [],
  scopes: [],
  allowTokenAccess: false,
  createdAt: "2025-01-01T00:00:00.000Z",
  expiresAt: "2025-01-01T01:00:00.000Z",
};
const ok = () => Response.json(session);

describe("backoffDelay", () => {
  const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  it("uses full jitter under an exponentially growing, capped ceiling", () => {
    expect(backoffDelay(0, policy, undefined, () => 0.999)).toBe(99);
    expect(backoffDelay(2, policy, undefined, () => 0.999)).toBe(399);
    expect(backoffDelay(8, policy, undefined, () => 0.999)).toBe(999);
    expect(backoffDelay(3, policy, undefined, () => 0)).toBe(0);
  });
  it("honours Retry-After plus a little jitter, and refuses waits beyond maxDelayMs", () => {
    expect(backoffDelay(0, policy, 500, () => 0.5)).toBe(550);
    expect(backoffDelay(0, policy, 5000, () => 0.5)).toBeUndefined();
  });
});

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP dates", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe("runWithRetry", () => {
  it("stops after the configured attempts and throws the last error", async () => {
    const clock = fakeClock();
    let calls = 0;
    await expect(
      runWithRetry(
        async () => {
          calls++;
          return { kind: "retryable", error: new Error(`fail ${calls}`) };
        },
        { retry: { attempts: 4, baseDelayMs: 10, maxDelayMs: 100 }, clock, random: () => 1 },
      ),
    ).rejects.toThrow("fail 4");
    expect(calls).toBe(4);
    expect(clock.sleeps).toEqual([10, 20, 40]);
  });
  it("returns the fallback instead of throwing when attempts run out", async () => {
    const value = await runWithRetry(
      async () => ({ kind: "retryable", error: new Error("x"), fallback: "last" }),
      {
        retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
        clock: fakeClock(),
      },
    );
    expect(value).toBe("last");
  });
});

describe("client retries (scripted fetch, fake clock)", () => {
  const base = { baseUrl: "http://scp.test", apiKey: "scp_sk_test", random: () => 0.5 };

  it("retries an idempotent GET on 503 and 429, honouring Retry-After", async () => {
    const clock = fakeClock();
    const { fetch, calls } = scriptedFetch([
      problem(503, "internal"),
      problem(429, "rate_limited", {}, { "retry-after": "2" }),
      ok(),
    ]);
    const scp = createClient({ ...base, fetch, clock });
    await expect(scp.sessions.get(session.id)).resolves.toMatchObject({ id: session.id });
    expect(calls).toHaveLength(3);
    expect(clock.sleeps[0]).toBeLessThan(250);
    expect(clock.sleeps[1]).toBeGreaterThanOrEqual(2000);
    expect(new Headers(calls[0]?.init?.headers).get("authorization")).toBe("Bearer scp_sk_test");
  });

  it("never retries a POST unless the call opts in", async () => {
    const clock = fakeClock();
    const first = scriptedFetch([problem(503, "internal"), ok()]);
    const scp = createClient({ ...base, fetch: first.fetch, clock });
    await expect(scp.sessions.create({ userId: "u_1" })).rejects.toMatchObject({ status: 503 });
    expect(first.calls).toHaveLength(1);

    const second = scriptedFetch([
      problem(503, "internal"),
      Response.json({ ...session, token: "scp_st_x" }),
    ]);
    const opted = createClient({ ...base, fetch: second.fetch, clock });
    await expect(opted.sessions.create({ userId: "u_1" }, { retry: true })).resolves.toMatchObject({
      token: "scp_st_x",
    });
    expect(second.calls).toHaveLength(2);
  });

  it("retries network errors on GET but not on POST", async () => {
    const clock = fakeClock();
    const get = scriptedFetch([new TypeError("fetch failed"), ok()]);
    await expect(
      createClient({ ...base, fetch: get.fetch, clock }).sessions.current(),
    ).resolves.toBeDefined();
    expect(get.calls).toHaveLength(2);
    const post = scriptedFetch([new TypeError("fetch failed")]);
    const error = await createClient({ ...base, fetch: post.fetch, clock })
      .actions.call("google.gmail.search", { input: {} })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(post.calls).toHaveLength(1);
  });

  it("throws RateLimitedError at once when Retry-After exceeds maxDelayMs", async () => {
    const clock = fakeClock();
    const { fetch, calls } = scriptedFetch([problem(429, "rate_limited", {}, { "retry-after": "60" })]);
    const error = await createClient({ ...base, fetch, clock })
      .connections.list()
      .catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.retryAfter).toBe(60);
    expect(calls).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("respects retry: false on the client and per call", async () => {
    const clock = fakeClock();
    const a = scriptedFetch([problem(503, "internal")]);
    await expect(
      createClient({ ...base, fetch: a.fetch, clock, retry: false }).sessions.current(),
    ).rejects.toThrow();
    expect(a.calls).toHaveLength(1);
    const b = scriptedFetch([problem(503, "internal")]);
    await expect(
      createClient({ ...base, fetch: b.fetch, clock }).sessions.current({ retry: false }),
    ).rejects.toThrow();
    expect(b.calls).toHaveLength(1);
  });

  it("aborts during back-off with the caller's reason", async () => {
    const controller = new AbortController();
    const clock: Clock = {
      now: () => 0,
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => {
          controller.abort(new Error("user cancelled"));
          reject(signal?.reason);
        }),
    };
    const { fetch } = scriptedFetch([problem(503, "internal"), ok()]);
    await expect(
      createClient({ ...base, fetch, clock }).sessions.current({ signal: controller.signal }),
    ).rejects.toThrow("user cancelled");
  });

  it("times out a hanging request and retries it when idempotent", async () => {
    const hang = (init: RequestInit | undefined) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      });
    const { fetch, calls } = scriptedFetch([hang, ok()]);
    const scp = createClient({ ...base, fetch, clock: fakeClock(), timeoutMs: 20 });
    await expect(scp.sessions.current()).resolves.toMatchObject({ id: session.id });
    expect(calls).toHaveLength(2);
    const once = scriptedFetch([hang]);
    const error = await createClient({ ...base, fetch: once.fetch, timeoutMs: 20 })
      .sessions.create({ userId: "u" })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error.message).toMatch(/timed out after 20 ms/);
  });
});

describe("error mapping", () => {
  const base = { baseUrl: "http://scp.test/", sessionToken: "scp_st_secret", retry: false as const };

  it("maps problem+json to the protocol error classes", async () => {
    const { fetch } = scriptedFetch([
      problem(403, "auth_required", { connectUrl: "http://scp.test/connect/cr_1", missingScopes: ["a"] }),
    ]);
    const error = await createClient({ ...base, fetch })
      .actions.call("microsoft.outlook.search", { input: {} })
      .catch((e) => e);
    expect(error).toBeInstanceOf(AuthRequiredError);
    expect(error.connectUrl).toBe("http://scp.test/connect/cr_1");
    expect(error.missingScopes).toEqual(["a"]);
  });

  it("turns a non-JSON error body into a clear error without echoing the body", async () => {
    const { fetch } = scriptedFetch([
      new Response("<html>Bad gateway scp_st_secret</html>", {
        status: 502,
        headers: { "content-type": "text/html" },
      }),
    ]);
    const error = await createClient({ ...base, fetch })
      .sessions.current()
      .catch((e) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.status).toBe(502);
    expect(error.message).toBe(
      "GET /v1/session failed with HTTP 502 (text/html body, not a problem document)",
    );
  });

  it("rejects a 2xx response that does not match the protocol schema", async () => {
    const { fetch } = scriptedFetch([Response.json({ id: "nope" })]);
    const error = await createClient({ ...base, fetch })
      .sessions.current()
      .catch((e) => e);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error.message).toMatch(/does not match the protocol schema/);
  });

  it("keeps a base URL path prefix and encodes path segments and queries", async () => {
    const { fetch, calls } = scriptedFetch([
      Response.json({ items: [], nextCursor: null }),
      problem(404, "not_found"),
    ]);
    const scp = createClient({ ...base, baseUrl: "http://scp.test/prefix/", fetch });
    await scp.connections.list({ userId: "a b&c", limit: 5 });
    await scp.connections.get("../../v1/clients").catch(() => {});
    expect(calls[0]?.url).toBe("http://scp.test/prefix/v1/connections?userId=a+b%26c&limit=5");
    expect(calls[1]?.url).toBe("http://scp.test/prefix/v1/connections/..%2F..%2Fv1%2Fclients");
  });
});
