import { describe, expect, it } from "vitest";
import { normalizeGoogleEvent } from "./google-calendar";
import { driveQuery, normalizeGoogleFile } from "./google-drive";
import { normalizeGmailMessage, normalizeGmailSummary } from "./google-gmail";
import { graphPageToken, graphPageUrl } from "./graph-paging";
import { apiUrl, parseRetryAfter } from "./http";
import { normalizeGraphEvent } from "./microsoft-calendar";
import { graphDriveSearchPath, normalizeGraphDriveItem } from "./microsoft-drive";
import { normalizeGraphMessage, normalizeGraphSummary } from "./microsoft-mail";
import { calendarEventSchema, driveFileSchema, mailMessageSchema, mailMessageSummarySchema } from "./schemas";
import { decodeBase64Url, htmlToText, splitAddressList } from "./text";

const b64 = (text: string) => Buffer.from(text).toString("base64url");

const gmailFull = {
  id: "18c1",
  threadId: "18c0",
  labelIds: ["INBOX", "UNREAD"],
  snippet: "Lunch on Friday?",
  internalDate: "1704103200000",
  payload: {
    mimeType: "multipart/mixed",
    headers: [
      { name: "From", value: "Alice Example <alice@example.test>" },
      { name: "To", value: '"Doe, John" <john@example.test>, bob@example.test' },
      { name: "Cc", value: "carol@example.test" },
      { name: "Subject", value: "Lunch" },
      { name: "Date", value: "Mon, 1 Jan 2024 10:00:00 +0000" },
    ],
    parts: [
      {
        mimeType: "multipart/alternative",
        parts: [
          { mimeType: "text/plain", body: { data: b64("Lunch on Friday? — Alice ✓") } },
          { mimeType: "text/html", body: { data: b64("<p>Lunch on <b>Friday</b>?</p>") } },
        ],
      },
      { mimeType: "text/plain", filename: "notes.txt", body: { attachmentId: "att1" } },
    ],
  },
};

const graphMessage = {
  id: "AAMkAD1",
  conversationId: "AAQkAD1",
  subject: "Lunch",
  bodyPreview: "Lunch on Friday?",
  receivedDateTime: "2024-01-01T10:00:00Z",
  from: { emailAddress: { name: "Alice Example", address: "alice@example.test" } },
  toRecipients: [
    { emailAddress: { name: "Doe, John", address: "john@example.test" } },
    { emailAddress: { name: "bob@example.test", address: "bob@example.test" } },
  ],
  ccRecipients: [{ emailAddress: { address: "carol@example.test" } }],
  categories: ["Important"],
  isRead: false,
  body: {
    contentType: "html",
    content:
      "<html><head><style>p{}</style></head><body><p>Lunch on <b>Friday</b>?</p><p>A &amp; B</p></body></html>",
  },
};

describe("mail normalization", () => {
  it("normalizes a Gmail message: headers, ISO date, labels, decoded plain-text body", () => {
    const message = normalizeGmailMessage(gmailFull);
    expect(mailMessageSchema.parse(message)).toEqual({
      id: "18c1",
      threadId: "18c0",
      from: "Alice Example <alice@example.test>",
      to: ['"Doe, John" <john@example.test>', "bob@example.test"],
      cc: ["carol@example.test"],
      subject: "Lunch",
      snippet: "Lunch on Friday?",
      date: "2024-01-01T10:00:00.000Z",
      labels: ["INBOX", "UNREAD"],
      body: "Lunch on Friday? — Alice ✓",
    });
  });

  it("falls back to the HTML part as text, then to the snippet", () => {
    const htmlOnly = {
      ...gmailFull,
      payload: { mimeType: "text/html", body: { data: b64("<p>Hi<br>there &amp; you</p>") } },
    };
    expect(normalizeGmailMessage(htmlOnly).body).toBe("Hi\nthere & you");
    expect(normalizeGmailMessage({ id: "x", snippet: "only" }).body).toBe("only");
  });

  it("normalizes a Graph message to the same shape as its Gmail twin", () => {
    const message = normalizeGraphMessage(graphMessage);
    expect(mailMessageSchema.parse(message)).toEqual({
      id: "AAMkAD1",
      threadId: "AAQkAD1",
      from: "Alice Example <alice@example.test>",
      to: ["Doe, John <john@example.test>", "bob@example.test"],
      cc: ["carol@example.test"],
      subject: "Lunch",
      snippet: "Lunch on Friday?",
      date: "2024-01-01T10:00:00.000Z",
      labels: ["Important", "UNREAD"],
      body: "Lunch on Friday?\nA & B",
    });
    expect(Object.keys(normalizeGraphSummary(graphMessage)).sort()).toEqual(
      Object.keys(normalizeGmailSummary(gmailFull)).sort(),
    );
    expect(mailMessageSummarySchema.safeParse(normalizeGraphSummary({ id: "bare" })).success).toBe(true);
  });
});

describe("calendar normalization", () => {
  it("normalizes Google timed and all-day events", () => {
    const timed = normalizeGoogleEvent({
      id: "e1",
      summary: "Standup",
      start: { dateTime: "2024-01-02T09:00:00+01:00" },
      end: { dateTime: "2024-01-02T09:15:00+01:00" },
      location: "Room 1",
      attendees: [
        { email: "bob@example.test", displayName: "Bob", responseStatus: "accepted" },
        { displayName: "no email" },
      ],
      htmlLink: "https://calendar.google.com/event?eid=e1",
    });
    expect(calendarEventSchema.parse(timed)).toEqual({
      id: "e1",
      title: "Standup",
      start: "2024-01-02T08:00:00.000Z",
      end: "2024-01-02T08:15:00.000Z",
      allDay: false,
      location: "Room 1",
      attendees: [{ email: "bob@example.test", name: "Bob", response: "accepted" }],
      link: "https://calendar.google.com/event?eid=e1",
    });
    const allDay = normalizeGoogleEvent({
      id: "e2",
      start: { date: "2024-01-03" },
      end: { date: "2024-01-04" },
    });
    expect(allDay).toMatchObject({
      title: "(no title)",
      start: "2024-01-03",
      end: "2024-01-04",
      allDay: true,
      location: null,
    });
  });

  it("normalizes Graph events (UTC date-times without offset, 7-digit fractions, response vocabulary)", () => {
    const event = normalizeGraphEvent({
      id: "AAMkAGE1",
      subject: "Standup",
      start: { dateTime: "2024-01-02T08:00:00.0000000", timeZone: "UTC" },
      end: { dateTime: "2024-01-02T08:15:00.0000000", timeZone: "UTC" },
      location: { displayName: "" },
      attendees: [
        {
          emailAddress: { name: "Bob", address: "bob@example.test" },
          status: { response: "tentativelyAccepted" },
        },
        { emailAddress: { address: "carol@example.test" }, status: { response: "none" } },
      ],
      webLink: "https://outlook.office365.com/owa/?itemid=1",
    });
    expect(calendarEventSchema.parse(event)).toEqual({
      id: "AAMkAGE1",
      title: "Standup",
      start: "2024-01-02T08:00:00.000Z",
      end: "2024-01-02T08:15:00.000Z",
      allDay: false,
      location: null,
      attendees: [
        { email: "bob@example.test", name: "Bob", response: "tentative" },
        { email: "carol@example.test", name: null, response: "needsAction" },
      ],
      link: "https://outlook.office365.com/owa/?itemid=1",
    });
    const allDay = normalizeGraphEvent({
      id: "x",
      isAllDay: true,
      start: { dateTime: "2024-01-03T00:00:00.0000000", timeZone: "UTC" },
      end: { dateTime: "2024-01-04T00:00:00.0000000", timeZone: "UTC" },
    });
    expect(allDay).toMatchObject({ start: "2024-01-03", end: "2024-01-04", allDay: true });
  });
});

describe("drive normalization and queries", () => {
  it("normalizes Drive files and OneDrive items alike", () => {
    const google = normalizeGoogleFile({
      id: "1a",
      name: "Plan",
      mimeType: "application/vnd.google-apps.folder",
      modifiedTime: "2024-01-01T00:00:00.000Z",
      webViewLink: "https://drive.google.com/drive/folders/1a",
    });
    const microsoft = normalizeGraphDriveItem({
      id: "01A",
      name: "Plan.docx",
      file: { mimeType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
      lastModifiedDateTime: "2024-01-01T00:00:00Z",
      webUrl: "https://contoso-my.sharepoint.com/Plan.docx",
    });
    expect(driveFileSchema.parse(google)).toMatchObject({
      isFolder: true,
      modifiedTime: "2024-01-01T00:00:00.000Z",
    });
    expect(driveFileSchema.parse(microsoft)).toMatchObject({
      isFolder: false,
      modifiedTime: "2024-01-01T00:00:00.000Z",
    });
    expect(normalizeGraphDriveItem({ id: "f", folder: { childCount: 2 } })).toMatchObject({
      isFolder: true,
      mimeType: "inode/directory",
    });
  });

  it("escapes query text for Drive q and the Graph search() segment", () => {
    expect(driveQuery("Bob's \\ plan")).toBe("fullText contains 'Bob\\'s \\\\ plan' and trashed = false");
    expect(graphDriveSearchPath("Bob's plan")).toBe("/v1.0/me/drive/root/search(q='Bob''s%20plan')");
  });
});

describe("HTTP helpers", () => {
  it("joins base URLs with path prefixes and repeated query keys", () => {
    const url = apiUrl("http://127.0.0.1:1/google/", "/gmail/v1/users/me/messages", {
      q: "from:alice",
      metadataHeaders: ["From", "To"],
      pageToken: undefined,
    });
    expect(url.href).toBe(
      "http://127.0.0.1:1/google/gmail/v1/users/me/messages?q=from%3Aalice&metadataHeaders=From&metadataHeaders=To",
    );
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it("turns Graph nextLinks into host-free page tokens and refuses foreign ones", () => {
    const base = "http://127.0.0.1:5/graph";
    expect(graphPageToken(`${base}/v1.0/me/messages?$skip=10`, base)).toBe("/v1.0/me/messages?$skip=10");
    expect(
      graphPageToken(
        "https://graph.microsoft.com/v1.0/me/messages?$skiptoken=x",
        "https://graph.microsoft.com",
      ),
    ).toBe("/v1.0/me/messages?$skiptoken=x");
    const context = { apiBaseUrl: base, fetch };
    expect(graphPageUrl(context, "/v1.0/me/messages?$skip=10").href).toBe(
      `${base}/v1.0/me/messages?$skip=10`,
    );
    for (const bad of [
      "https://evil.example/v1.0/me/x",
      "//evil.example/v1.0/me",
      "/v1.0/me/../../admin",
      "/v1.0/users/x",
      "@evil.example/v1.0/me/",
    ]) {
      expect(() => graphPageUrl(context, bad)).toThrow(/pageToken/);
    }
  });

  it("decodes base64url, splits address lists and converts HTML", () => {
    expect(decodeBase64Url(b64("héllo ✓"))).toBe("héllo ✓");
    expect(splitAddressList('"Doe, John" <j@x.test>, <k@x.test>,  l@x.test')).toEqual([
      '"Doe, John" <j@x.test>',
      "<k@x.test>",
      "l@x.test",
    ]);
    expect(htmlToText("<script>x()</script><div>a&#39;b&#x41;</div>")).toBe("a'bA");
  });
});
