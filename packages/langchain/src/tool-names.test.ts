import { describe, expect, it } from "vitest";
import { toolNamesFor } from "./tool-names";

describe("toolNamesFor", () => {
  it("drops the provider, uses product names, and keeps providers only on collisions", () => {
    const names = toolNamesFor([
      "google.gmail.search",
      "google.gmail.get",
      "google.calendar.events",
      "google.drive.search",
      "microsoft.mail.search",
      "microsoft.mail.get",
      "microsoft.calendar.events",
      "microsoft.drive.search",
    ]);
    expect(Object.fromEntries(names)).toEqual({
      "google.gmail.search": "gmail_search",
      "google.gmail.get": "gmail_get",
      "google.calendar.events": "google_calendar_events",
      "google.drive.search": "drive_search",
      "microsoft.mail.search": "outlook_search",
      "microsoft.mail.get": "outlook_get",
      "microsoft.calendar.events": "microsoft_calendar_events",
      "microsoft.drive.search": "onedrive_search",
    });
    for (const name of names.values()) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });

  it("sanitizes characters models reject", () => {
    expect(toolNamesFor(["acme-sso.tickets.list.v2"]).get("acme-sso.tickets.list.v2")).toBe(
      "tickets_list_v2",
    );
  });
});
