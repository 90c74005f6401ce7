import { describe, expect, it } from "vitest";
import { parseDriveQuery } from "./api/drive";
import { matchesGmailQuery } from "./api/gmail";
import { generateUserData, type MailMessage } from "./data/generate";
import { seededUsers } from "./users";

const message: MailMessage = {
  id: "m1",
  threadId: "m1",
  from: { name: "Priya Raman", email: "priya.raman@contoso.test" },
  to: [{ name: "Alice Example", email: "alice@example.test" }],
  subject: "Invoice for budget review",
  body: "Please confirm the figures.",
  snippet: "Please confirm the figures.",
  receivedAt: Date.UTC(2024, 4, 14),
  unread: true,
  starred: false,
  labels: ["INBOX", "UNREAD"],
};

describe("matchesGmailQuery", () => {
  it.each([
    ["", true],
    ["invoice", true],
    ["from:priya", true],
    ["from:marco", false],
    ['subject:"budget review"', true],
    ["is:unread", true],
    ["is:read", false],
    ["-is:unread", false],
    ["after:2024/05/01 before:2024/06/01", true],
    ["after:2024/06/01", false],
    ["figures from:contoso.test", true],
    ["label:inbox", true],
  ])("%s → %s", (q, expected) => {
    expect(matchesGmailQuery(message, q)).toBe(expected);
  });
});

describe("parseDriveQuery", () => {
  it("parses supported clauses and rejects others", () => {
    expect(parseDriveQuery("name contains 'plan' and trashed = false")).toHaveLength(2);
    expect(parseDriveQuery("fullText contains 'it\\'s'")).toHaveLength(1);
    expect(parseDriveQuery("not mimeType = 'application/pdf'")).toHaveLength(1);
    expect(parseDriveQuery("owners in 'x'")).toBeUndefined();
    expect(parseDriveQuery("name contains plan")).toBeUndefined();
  });
});

describe("generateUserData", () => {
  it("is deterministic per seed and differs across seeds", () => {
    const now = Date.UTC(2025, 0, 15, 12);
    const user = seededUsers[0]!;
    const a = generateUserData({ user, index: 0, seed: 1, profile: "google", now });
    const b = generateUserData({ user, index: 0, seed: 1, profile: "google", now });
    const c = generateUserData({ user, index: 0, seed: 2, profile: "google", now });
    expect(a).toEqual(b);
    expect(a.messages.map((m) => m.id)).not.toEqual(c.messages.map((m) => m.id));
    expect(a.messages).toHaveLength(250);
    expect(new Set(a.messages.map((m) => m.id)).size).toBe(250);
    const today = a.events.filter((e) => e.start >= Date.UTC(2025, 0, 15) && e.start < Date.UTC(2025, 0, 16));
    expect(today.length).toBeGreaterThanOrEqual(3);
  });
});
