import type { CalendarEvent } from "../data/generate";
import { GOOGLE_SCOPES } from "../profiles";
import { apiError } from "./errors";
import { decodePageToken, encodePageToken, includesText, pageSize } from "./paging";
import type { ApiRoute } from "./types";

/** A Google Calendar `events` resource. */
export function googleEvent(event: CalendarEvent, calendarOwner: string): Record<string, unknown> {
  return {
    kind: "calendar#event",
    id: event.id,
    status: "confirmed",
    htmlLink: `https://calendar.google.com/calendar/event?eid=${Buffer.from(`${event.id} ${calendarOwner}`).toString("base64url")}`,
    created: new Date(event.start - 7 * 86_400_000).toISOString(),
    updated: new Date(event.start - 86_400_000).toISOString(),
    summary: event.summary,
    description: event.description,
    location: event.location,
    creator: { email: event.organizer.email },
    organizer: { email: event.organizer.email, displayName: event.organizer.name },
    start: { dateTime: new Date(event.start).toISOString(), timeZone: "UTC" },
    end: { dateTime: new Date(event.end).toISOString(), timeZone: "UTC" },
    attendees: event.attendees.map((a) => ({
      email: a.email,
      displayName: a.name,
      responseStatus: a.responseStatus,
      ...(a.email === calendarOwner ? { self: true } : {}),
      ...(a.email === event.organizer.email ? { organizer: true } : {}),
    })),
    iCalUID: `${event.id}@google.com`,
    eventType: "default",
  };
}

/** Parses an RFC 3339 bound; `null` when absent, `undefined` when malformed. */
function bound(value: string | null): number | null | undefined {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export const calendarRoutes: ApiRoute[] = [
  {
    family: "google",
    method: "GET",
    pattern: /^\/calendar\/v3\/calendars\/(primary|[^/]+@[^/]+)\/events$/,
    name: "GET /calendar/v3/calendars/primary/events",
    scopes: [
      GOOGLE_SCOPES.calendarReadonly,
      "https://www.googleapis.com/auth/calendar",
      "https://www.googleapis.com/auth/calendar.events.readonly",
    ],
    handle({ url, params, data }) {
      if (params[0] !== "primary" && params[0] !== data.user.email) {
        return apiError("google", 404, "Not Found");
      }
      const size = pageSize(url.searchParams.get("maxResults"), 250, 2500);
      const offset = decodePageToken(url.searchParams.get("pageToken"));
      const timeMin = bound(url.searchParams.get("timeMin"));
      const timeMax = bound(url.searchParams.get("timeMax"));
      if (size === undefined) return apiError("google", 400, "Invalid maxResults");
      if (offset === undefined) return apiError("google", 400, "Invalid pageToken");
      if (timeMin === undefined || timeMax === undefined) return apiError("google", 400, "Bad Request");
      const orderBy = url.searchParams.get("orderBy");
      if (orderBy === "startTime" && url.searchParams.get("singleEvents") !== "true") {
        return apiError("google", 400, "The requested ordering is not available for the particular query.");
      }
      const q = url.searchParams.get("q");
      let matches = data.events.filter(
        (e) =>
          (timeMin === null || e.end > timeMin) &&
          (timeMax === null || e.start < timeMax) &&
          (!q || [e.summary, e.description, e.location].some((t) => includesText(t, q))),
      );
      if (orderBy === "updated") matches = [...matches].reverse();
      const page = matches.slice(offset, offset + size);
      const next = offset + size < matches.length ? encodePageToken(offset + size) : undefined;
      return {
        status: 200,
        body: {
          kind: "calendar#events",
          summary: data.user.email,
          updated: new Date().toISOString(),
          timeZone: "UTC",
          accessRole: "owner",
          items: page.map((e) => googleEvent(e, data.user.email)),
          ...(next ? { nextPageToken: next } : {}),
        },
      };
    },
  },
];
