import type { TokenSet } from "@securecontext/protocol";
import { UpstreamError, ValidationError } from "@securecontext/protocol";
import { GOOGLE_SCOPES, type TestIdp } from "@securecontext/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { callProviderApi } from "../src/actions/http";
import type { ActionContext, ActionDefinition, OAuthProvider } from "../src/types";
import { connect, contextFor, type Profile, providerFor, rejection, startIdp } from "./helpers";

interface Twin {
  profile: Exclude<Profile, "generic">;
  prefix: string;
  mailScope: string;
  calendarScope: string;
  driveScope: string;
}

const twins: Twin[] = [
  {
    profile: "google",
    prefix: "google.gmail",
    mailScope: GOOGLE_SCOPES.gmailReadonly,
    calendarScope: GOOGLE_SCOPES.calendarReadonly,
    driveScope: GOOGLE_SCOPES.driveReadonly,
  },
  {
    profile: "microsoft",
    prefix: "microsoft.mail",
    mailScope: "Mail.Read",
    calendarScope: "Calendars.Read",
    driveScope: "Files.Read.All",
  },
];

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe.each(twins)("$profile actions against the fake APIs", (twin) => {
  let idp: TestIdp;
  let provider: OAuthProvider;
  let tokens: TokenSet;
  let context: ActionContext;
  const action = (suffix: string): ActionDefinition => {
    const id = suffix.startsWith(".") ? `${twin.profile}${suffix}` : suffix;
    const found = provider.actions.find((candidate) => candidate.id === id);
    if (!found) throw new Error(`no action ${id}`);
    return found;
  };
  const mailSearch = () => action(`${twin.prefix}.search`);
  const mailGet = () => action(`${twin.prefix}.get`);

  beforeAll(async () => {
    idp = await startIdp(twin.profile);
    provider = providerFor(twin.profile, idp);
    tokens = await connect(
      provider,
      [twin.mailScope, twin.calendarScope, twin.driveScope],
      "alice@example.test",
    );
    context = contextFor(tokens, provider.apiBaseUrls[0]!);
  });
  afterEach(() => idp.clearFaults());
  afterAll(() => idp.stop());

  it("declares the scopes the fake API checks", () => {
    expect(mailSearch().requiredScopes).toEqual([twin.mailScope]);
    expect(action(".calendar.events").requiredScopes).toEqual([twin.calendarScope]);
    expect(action(".drive.search").requiredScopes).toEqual([twin.driveScope]);
  });

  it("searches mail: one normalized page with a next page token", async () => {
    const output = (await mailSearch().run(context, { maxResults: 10 })) as {
      messages: Array<Record<string, unknown>>;
      nextPageToken: string | null;
    };
    expect(output.messages).toHaveLength(10);
    expect(output.nextPageToken).toEqual(expect.any(String));
    for (const message of output.messages) {
      expect(message).toMatchObject({
        id: expect.any(String),
        threadId: expect.any(String),
        from: expect.stringMatching(/@/),
        subject: expect.any(String),
        snippet: expect.any(String),
        date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        labels: expect.any(Array),
      });
      expect((message.to as string[]).length).toBeGreaterThan(0);
    }
    const next = (await mailSearch().run(context, { maxResults: 10, pageToken: output.nextPageToken! })) as {
      messages: Array<{ id: string }>;
    };
    expect(next.messages.map((m) => m.id)).not.toContain(output.messages[0]!.id);
  });

  it("streams every message across pages (250)", async () => {
    const items = (await collect(mailSearch().stream!(context, { maxResults: 40 }))) as Array<{ id: string }>;
    expect(items).toHaveLength(250);
    expect(new Set(items.map((item) => item.id)).size).toBe(250);
  });

  it("reads one message with a plain-text body", async () => {
    const page = (await mailSearch().run(context, { maxResults: 1 })) as {
      messages: Array<{ id: string; subject: string }>;
    };
    const first = page.messages[0]!;
    const message = (await mailGet().run(context, { id: first.id })) as Record<string, unknown>;
    expect(message.id).toBe(first.id);
    expect(message.subject).toBe(first.subject);
    expect(message.body).toEqual(expect.any(String));
    expect((message.body as string).length).toBeGreaterThan(20);
    expect(message.body).not.toMatch(/<\/?[a-z]+>/i);
    expect(message.cc).toEqual(expect.any(Array));
  });

  it("lists calendar events in a range, normalized alike", async () => {
    const now = Date.now();
    const input = {
      timeMin: new Date(now - 10 * 86_400_000).toISOString(),
      timeMax: new Date(now + 20 * 86_400_000).toISOString(),
      maxResults: 5,
    };
    const page = (await action(".calendar.events").run(context, input)) as {
      events: Array<Record<string, unknown>>;
      nextPageToken: string | null;
    };
    expect(page.events.length).toBe(5);
    for (const event of page.events) {
      expect(event).toMatchObject({ id: expect.any(String), title: expect.any(String), allDay: false });
      expect(Date.parse(event.start as string)).toBeLessThan(Date.parse(event.end as string));
      expect(event.start).toMatch(/Z$/);
      for (const attendee of event.attendees as Array<Record<string, unknown>>) {
        expect(attendee.email).toMatch(/@/);
        expect(["accepted", "declined", "tentative", "needsAction", null]).toContain(attendee.response);
      }
    }
    const all = await collect(action(".calendar.events").stream!(context, input));
    expect(all.length).toBeGreaterThan(5);
  });

  it("searches files, normalized alike", async () => {
    const page = (await action(".drive.search").run(context, { query: "a", maxResults: 5 })) as {
      files: Array<Record<string, unknown>>;
    };
    expect(page.files.length).toBeGreaterThan(0);
    for (const file of page.files) {
      expect(file).toMatchObject({
        id: expect.any(String),
        name: expect.any(String),
        mimeType: expect.stringMatching(/\//),
        modifiedTime: expect.stringMatching(/Z$/),
        link: expect.stringMatching(/^https:\/\//),
        isFolder: expect.any(Boolean),
      });
    }
  });

  it("waits out a 429 with Retry-After and succeeds", async () => {
    const route = twin.profile === "google" ? "GET /gmail/v1/users/me/messages" : "GET /v1.0/me/messages";
    const before = idp.stats().apiCalls[route] ?? 0;
    idp.inject({ target: "api", kind: "http429", retryAfter: 1 });
    const started = Date.now();
    const output = (await mailSearch().run(context, { maxResults: 2 })) as { messages: unknown[] };
    expect(output.messages).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect((idp.stats().apiCalls[route] ?? 0) - before).toBe(2);
  });

  it("gives up when Retry-After exceeds the cap, or retries run out, with UpstreamError 429", async () => {
    idp.inject({ target: "api", kind: "http429", retryAfter: 120 });
    const capped = await rejection(
      callProviderApi(
        context,
        twin.profile === "google" ? "/gmail/v1/users/me/messages" : "/v1.0/me/messages",
        {
          maxRetryWaitMs: 5_000,
        },
      ),
    );
    expect(capped).toBeInstanceOf(UpstreamError);
    expect((capped as UpstreamError).upstreamStatus).toBe(429);
    expect((capped as UpstreamError).retryAfter).toBe(120);

    idp.inject({ target: "api", kind: "http429", retryAfter: 0, count: 3 });
    const exhausted = await rejection(
      callProviderApi(
        context,
        twin.profile === "google" ? "/gmail/v1/users/me/messages" : "/v1.0/me/messages",
        {
          maxRetries: 2,
        },
      ),
    );
    expect((exhausted as UpstreamError).upstreamStatus).toBe(429);
  });

  it("surfaces a 500 as UpstreamError with the provider's body and no token", async () => {
    idp.inject({ target: "api", kind: "http500" });
    const error = await rejection(mailSearch().run(context, { maxResults: 1 }));
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).upstreamStatus).toBe(500);
    expect((error as UpstreamError).body).toMatchObject({ error: expect.any(Object) });
    expect(JSON.stringify(error)).not.toContain(tokens.accessToken);
  });

  it("times out a slow API call with a TransportError", async () => {
    idp.inject({ target: "api", kind: "slow", delayMs: 3_000 });
    const error = await rejection(
      callProviderApi(
        context,
        twin.profile === "google" ? "/gmail/v1/users/me/messages" : "/v1.0/me/messages",
        {
          timeoutMs: 300,
        },
      ),
    );
    expect((error as Error).name).toBe("TransportError");
    expect((error as Error).message).toMatch(/did not answer within 300 ms/);
  });

  it("refuses a page token that points anywhere else", async () => {
    if (twin.profile !== "microsoft") return;
    const error = await rejection(
      mailSearch().run(context, { pageToken: "https://evil.example/v1.0/me/messages" }),
    );
    expect(error).toBeInstanceOf(ValidationError);
  });

  it("names the missing scope when the connection lacks it", async () => {
    const mailOnly = await connect(provider, [twin.mailScope]);
    const narrow = contextFor(mailOnly, provider.apiBaseUrls[0]!);
    const error = await rejection(action(".drive.search").run(narrow, { query: "report" }));
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).upstreamStatus).toBe(403);
    const scopeName = twin.profile === "google" ? "drive.readonly" : "Files.Read";
    expect((error as Error).message).toContain(scopeName);
    expect((error as UpstreamError).extra.missingScopes).toEqual([expect.stringContaining(scopeName)]);
  });
});
