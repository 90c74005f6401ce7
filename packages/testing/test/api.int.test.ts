import type * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GOOGLE_SCOPES, GRAPH_SCOPES, startTestIdp, type TestIdp } from "../src/index";
import { codeFlow, discover, REDIRECT_URI } from "./flow";

const clients = [{ clientId: "app", clientSecret: "app-secret", redirectUris: [REDIRECT_URI] }];

async function getJson(url: string | URL, token?: string) {
  const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe("fake Google APIs", () => {
  let idp: TestIdp;
  let config: oidc.Configuration;
  let token: string;
  beforeAll(async () => {
    idp = await startTestIdp({ profile: "google", clients, seed: 7 });
    config = await discover(idp.issuer);
    const { tokens } = await codeFlow(config, {
      scope: `openid email ${GOOGLE_SCOPES.gmailReadonly} ${GOOGLE_SCOPES.calendarReadonly}`,
    });
    token = tokens.access_token;
  });
  afterAll(() => idp.stop());

  it("rejects missing, unknown and expired bearer tokens with 401 and WWW-Authenticate", async () => {
    const url = `${idp.apiBaseUrl}/gmail/v1/users/me/messages`;
    const missing = await getJson(url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer realm=/);
    expect(missing.body.error).toMatchObject({ code: 401, status: "UNAUTHENTICATED" });
    const unknown = await getJson(url, "not-a-token");
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get("www-authenticate")).toContain('error="invalid_token"');

    const { tokens } = await codeFlow(config, {
      scope: `openid ${GOOGLE_SCOPES.gmailReadonly}`,
      user: "bob@example.test",
    });
    expect((await getJson(url, tokens.access_token)).status).toBe(200);
    await idp.expireAccessTokens("bob@example.test");
    const expired = await getJson(url, tokens.access_token);
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toContain("expired");
  });

  it("answers 403 insufficient_scope naming the scope", async () => {
    const response = await getJson(`${idp.apiBaseUrl}/drive/v3/files`, token);
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect(response.headers.get("www-authenticate")).toContain(GOOGLE_SCOPES.driveReadonly);
    expect(JSON.stringify(response.body)).toContain(GOOGLE_SCOPES.driveReadonly);
  });

  it("pages through all 250 messages of the first user, newest first", async () => {
    idp.resetStats();
    const ids: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const url = new URL(`${idp.apiBaseUrl}/gmail/v1/users/me/messages`);
      url.searchParams.set("maxResults", "60");
      if (pageToken) url.searchParams.set("pageToken", pageToken);
      const { status, body } = await getJson(url, token);
      expect(status).toBe(200);
      expect(body.resultSizeEstimate).toBe(250);
      ids.push(...(body.messages as Array<{ id: string; threadId: string }>).map((m) => m.id));
      pageToken = body.nextPageToken as string | undefined;
      pages += 1;
    } while (pageToken);
    expect(pages).toBe(5);
    expect(new Set(ids).size).toBe(250);
    expect(idp.stats().apiCalls).toEqual({ "GET /gmail/v1/users/me/messages": 5 });

    const first = await getJson(`${idp.apiBaseUrl}/gmail/v1/users/me/messages/${ids[0]}?format=full`, token);
    const last = await getJson(
      `${idp.apiBaseUrl}/gmail/v1/users/me/messages/${ids[249]}?format=minimal`,
      token,
    );
    expect(Number(first.body.internalDate)).toBeGreaterThan(Number(last.body.internalDate));
  });

  it("serves a full Gmail message with headers and base64url parts", async () => {
    const list = await getJson(`${idp.apiBaseUrl}/gmail/v1/users/me/messages?maxResults=1`, token);
    const id = (list.body.messages as Array<{ id: string }>)[0]!.id;
    const { body } = await getJson(`${idp.apiBaseUrl}/gmail/v1/users/me/messages/${id}`, token);
    const payload = body.payload as {
      headers: Array<{ name: string; value: string }>;
      parts: Array<{ mimeType: string; body: { data: string } }>;
    };
    const header = (name: string) => payload.headers.find((h) => h.name === name)?.value;
    expect(header("From")).toMatch(/^.+ <.+@.+>$/);
    expect(header("To")).toContain("alice@example.test");
    expect(header("Subject")).toBeTruthy();
    expect(Date.parse(header("Date")!)).toBe(Number(body.internalDate));
    const text = Buffer.from(payload.parts[0]!.body.data, "base64url").toString("utf8");
    expect(text).toContain("Hi Alice");
    expect(body.snippet).toBeTruthy();
    expect(body.labelIds).toContain("INBOX");
    const metadata = await getJson(
      `${idp.apiBaseUrl}/gmail/v1/users/me/messages/${id}?format=metadata&metadataHeaders=Subject`,
      token,
    );
    expect((metadata.body.payload as { headers: unknown[]; parts?: unknown }).headers).toHaveLength(1);
    expect((metadata.body.payload as { parts?: unknown }).parts).toBeUndefined();
    expect((await getJson(`${idp.apiBaseUrl}/gmail/v1/users/me/messages/nope`, token)).status).toBe(404);
  });

  it("filters messages with q", async () => {
    const all = await getJson(
      `${idp.apiBaseUrl}/gmail/v1/users/me/messages?maxResults=500&q=is:unread`,
      token,
    );
    const unread = all.body.resultSizeEstimate as number;
    expect(unread).toBeGreaterThan(0);
    expect(unread).toBeLessThan(250);
    const from = await getJson(
      `${idp.apiBaseUrl}/gmail/v1/users/me/messages?q=${encodeURIComponent("from:priya")}`,
      token,
    );
    const subject = await getJson(
      `${idp.apiBaseUrl}/gmail/v1/users/me/messages?q=${encodeURIComponent('subject:"budget review"')}`,
      token,
    );
    for (const result of [from, subject]) {
      expect(result.body.resultSizeEstimate).toBeGreaterThan(0);
      expect(result.body.resultSizeEstimate).toBeLessThan(250);
    }
    const id = (from.body.messages as Array<{ id: string }>)[0]!.id;
    const message = await getJson(
      `${idp.apiBaseUrl}/gmail/v1/users/me/messages/${id}?format=metadata`,
      token,
    );
    expect(JSON.stringify(message.body)).toContain("priya.raman@contoso.test");
    const none = await getJson(`${idp.apiBaseUrl}/gmail/v1/users/me/messages?q=zzzzunmatched`, token);
    expect(none.body).toEqual({ resultSizeEstimate: 0 });
  });

  it("keeps each user's data apart and is deterministic per seed", async () => {
    const bob = await codeFlow(config, {
      scope: `openid ${GOOGLE_SCOPES.gmailReadonly}`,
      user: "bob@example.test",
    });
    const bobList = await getJson(`${idp.apiBaseUrl}/gmail/v1/users/me/messages`, bob.tokens.access_token);
    expect(bobList.body.resultSizeEstimate).toBe(40);
    const again = await startTestIdp({ profile: "google", clients, seed: 7 });
    try {
      const againConfig = await discover(again.issuer);
      const { tokens } = await codeFlow(againConfig, { scope: `openid ${GOOGLE_SCOPES.gmailReadonly}` });
      const a = await getJson(`${idp.apiBaseUrl}/gmail/v1/users/me/messages?maxResults=5`, token);
      const b = await getJson(
        `${again.apiBaseUrl}/gmail/v1/users/me/messages?maxResults=5`,
        tokens.access_token,
      );
      expect(b.body.messages).toEqual(a.body.messages);
    } finally {
      await again.stop();
    }
  });

  it("lists today's calendar events in a time range, with paging", async () => {
    const start = new Date();
    start.setUTCHours(0, 0, 0, 0);
    const end = new Date(start.getTime() + 86_400_000);
    const url = new URL(`${idp.apiBaseUrl}/calendar/v3/calendars/primary/events`);
    url.searchParams.set("timeMin", start.toISOString());
    url.searchParams.set("timeMax", end.toISOString());
    url.searchParams.set("singleEvents", "true");
    url.searchParams.set("orderBy", "startTime");
    url.searchParams.set("maxResults", "2");
    const first = await getJson(url, token);
    expect(first.status).toBe(200);
    const items = first.body.items as Array<{
      start: { dateTime: string };
      summary: string;
      attendees: unknown[];
      htmlLink: string;
    }>;
    expect(items).toHaveLength(2);
    expect(first.body.nextPageToken).toBeTruthy();
    for (const item of items) {
      expect(Date.parse(item.start.dateTime)).toBeGreaterThanOrEqual(start.getTime() - 3 * 3_600_000);
      expect(item.summary).toBeTruthy();
      expect(item.attendees.length).toBeGreaterThan(0);
      expect(item.htmlLink).toMatch(/^https:\/\/calendar\.google\.com\//);
    }
    url.searchParams.set("pageToken", first.body.nextPageToken as string);
    const second = await getJson(url, token);
    expect((second.body.items as unknown[]).length).toBeGreaterThan(0);
  });

  it("searches Drive with name contains and fullText contains", async () => {
    const { tokens } = await codeFlow(config, { scope: `openid ${GOOGLE_SCOPES.driveReadonly}` });
    const all = await getJson(`${idp.apiBaseUrl}/drive/v3/files?pageSize=1000`, tokens.access_token);
    const files = all.body.files as Array<{
      id: string;
      name: string;
      mimeType: string;
      modifiedTime: string;
      webViewLink: string;
    }>;
    expect(files.length).toBe(36);
    const word = files[0]!.name.split(" ")[0]!;
    const byName = await getJson(
      `${idp.apiBaseUrl}/drive/v3/files?q=${encodeURIComponent(`name contains '${word}' and trashed = false`)}`,
      tokens.access_token,
    );
    const named = byName.body.files as typeof files;
    expect(named.length).toBeGreaterThan(0);
    expect(named.every((f) => f.name.toLowerCase().includes(word.toLowerCase()))).toBe(true);
    const fullText = await getJson(
      `${idp.apiBaseUrl}/drive/v3/files?q=${encodeURIComponent("fullText contains 'Owner: Alice'")}`,
      tokens.access_token,
    );
    expect((fullText.body.files as unknown[]).length).toBe(36);
    const bad = await getJson(
      `${idp.apiBaseUrl}/drive/v3/files?q=${encodeURIComponent("bogus ~ 1")}`,
      tokens.access_token,
    );
    expect(bad.status).toBe(400);
  });
});

describe("fake Microsoft Graph", () => {
  let idp: TestIdp;
  let token: string;
  beforeAll(async () => {
    idp = await startTestIdp({ profile: "microsoft", clients });
    const config = await discover(idp.issuer);
    const { tokens } = await codeFlow(config, {
      scope: `openid offline_access User.Read ${GRAPH_SCOPES.mailRead} ${GRAPH_SCOPES.calendarsRead} ${GRAPH_SCOPES.filesReadAll}`,
    });
    token = tokens.access_token;
  });
  afterAll(() => idp.stop());

  it("serves /me (short-form scope accepted)", async () => {
    const { status, body } = await getJson(`${idp.apiBaseUrl}/v1.0/me`, token);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: "user-alice-0001",
      mail: "alice@example.test",
      displayName: "Alice Example",
    });
  });

  it("follows @odata.nextLink through all 250 messages", async () => {
    let next: string | undefined = `${idp.apiBaseUrl}/v1.0/me/messages?$top=100`;
    const ids: string[] = [];
    while (next) {
      expect(next.startsWith(idp.apiBaseUrl)).toBe(true);
      const { status, body } = await getJson(next, token);
      expect(status).toBe(200);
      ids.push(...(body.value as Array<{ id: string }>).map((m) => m.id));
      next = body["@odata.nextLink"] as string | undefined;
    }
    expect(new Set(ids).size).toBe(250);
    const { body } = await getJson(
      `${idp.apiBaseUrl}/v1.0/me/messages/${encodeURIComponent(ids[3]!)}`,
      token,
    );
    expect(body).toMatchObject({
      id: ids[3],
      from: { emailAddress: { address: expect.stringContaining("@") } },
    });
    expect(body.body).toMatchObject({ contentType: "text" });
    expect(typeof body.isRead).toBe("boolean");
    expect(body.toRecipients).toEqual([
      { emailAddress: { name: "Alice Example", address: "alice@example.test" } },
    ]);
  });

  it("searches messages with $search and keeps it in nextLink", async () => {
    const { body } = await getJson(`${idp.apiBaseUrl}/v1.0/me/messages?$search="invoice"&$top=2`, token);
    const value = body.value as Array<{ subject: string; bodyPreview: string }>;
    expect(value.length).toBe(2);
    expect(body["@odata.nextLink"]).toContain("%24search=%22invoice%22");
    const second = await getJson(body["@odata.nextLink"] as string, token);
    expect((second.body.value as unknown[]).length).toBeGreaterThan(0);
  });

  it("lists events and a calendarView window with nextLink", async () => {
    const events = await getJson(`${idp.apiBaseUrl}/v1.0/me/events?$top=5`, token);
    expect((events.body.value as unknown[]).length).toBe(5);
    expect(events.body["@odata.nextLink"]).toMatch(/\$skip=5|%24skip=5/);
    const start = new Date();
    start.setUTCHours(0, 0, 0, 0);
    const end = new Date(start.getTime() + 86_400_000);
    const view = await getJson(
      `${idp.apiBaseUrl}/v1.0/me/calendarView?startDateTime=${start.toISOString()}&endDateTime=${end.toISOString()}`,
      token,
    );
    const items = view.body.value as Array<{ start: { dateTime: string; timeZone: string } }>;
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(items[0]!.start.timeZone).toBe("UTC");
    expect((await getJson(`${idp.apiBaseUrl}/v1.0/me/calendarView`, token)).status).toBe(400);
  });

  it("searches the drive", async () => {
    const { status, body } = await getJson(`${idp.apiBaseUrl}/v1.0/me/drive/root/search(q='plan')`, token);
    expect(status).toBe(200);
    const items = body.value as Array<{
      name: string;
      file: { mimeType: string };
      webUrl: string;
      lastModifiedDateTime: string;
    }>;
    expect(items.length).toBeGreaterThan(0);
    expect(items[0]!.file.mimeType).toBeTruthy();
    const encoded = await getJson(`${idp.apiBaseUrl}/v1.0/me/drive/root/search(q=%27plan%27)`, token);
    expect(encoded.body.value).toEqual(body.value);
  });

  it("answers 403 with the missing Graph scope", async () => {
    const config = await discover(idp.issuer);
    const { tokens } = await codeFlow(config, { scope: `openid ${GRAPH_SCOPES.mailRead}` });
    const response = await getJson(`${idp.apiBaseUrl}/v1.0/me/events`, tokens.access_token);
    expect(response.status).toBe(403);
    expect(response.body.error).toMatchObject({ code: "ErrorAccessDenied" });
    expect(response.headers.get("www-authenticate")).toContain(GRAPH_SCOPES.calendarsRead);
  });
});
