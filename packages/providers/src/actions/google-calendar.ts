import { definePagedAction } from "./define";
import { callProviderApi } from "./http";
import {
  type CalendarEvent,
  calendarEventsInputSchema,
  calendarEventsOutputSchema,
  calendarRange,
  isoDate,
} from "./schemas";

/** Calendar read-only scope. */
export const CALENDAR_READONLY_SCOPE = "https://www.googleapis.com/auth/calendar.readonly";

/** The parts of a Google Calendar `events` resource the normalizer reads. */
export interface GoogleCalendarEventResource {
  id: string;
  summary?: string;
  htmlLink?: string;
  location?: string;
  start?: { dateTime?: string; date?: string; timeZone?: string };
  end?: { dateTime?: string; date?: string; timeZone?: string };
  attendees?: Array<{ email?: string; displayName?: string; responseStatus?: string }>;
}
interface GoogleEventsResponse {
  items?: GoogleCalendarEventResource[];
  nextPageToken?: string;
}

function when(value: GoogleCalendarEventResource["start"]): { at: string; allDay: boolean } {
  if (value?.date) return { at: value.date, allDay: true };
  return { at: isoDate(value?.dateTime) ?? "", allDay: false };
}

/** Normalizes a Google Calendar event to the shared event shape. */
export function normalizeGoogleEvent(event: GoogleCalendarEventResource): CalendarEvent {
  const start = when(event.start);
  const end = when(event.end);
  return {
    id: event.id,
    title: event.summary ?? "(no title)",
    start: start.at,
    end: end.at,
    allDay: start.allDay,
    location: event.location ?? null,
    attendees: (event.attendees ?? [])
      .filter((attendee) => attendee.email)
      .map((attendee) => ({
        email: attendee.email as string,
        name: attendee.displayName ?? null,
        response: attendee.responseStatus ?? null,
      })),
    link: event.htmlLink ?? null,
  };
}

/** `google.calendar.events`: events of the primary calendar in a time range, in start order. */
export const googleCalendarEventsAction = definePagedAction({
  id: "google.calendar.events",
  providerId: "google",
  title: "List Google Calendar events",
  description:
    "Lists events of the primary Google Calendar between timeMin and timeMax (default: the next 7 days), with recurring events expanded, in start order.",
  requiredScopes: [CALENDAR_READONLY_SCOPE],
  input: calendarEventsInputSchema,
  output: calendarEventsOutputSchema,
  itemsKey: "events",
  async run(context, input) {
    const range = calendarRange(input);
    const page = await callProviderApi<GoogleEventsResponse>(
      context,
      "/calendar/v3/calendars/primary/events",
      {
        query: {
          timeMin: range.timeMin,
          timeMax: range.timeMax,
          singleEvents: true,
          orderBy: "startTime",
          maxResults: input.maxResults,
          pageToken: input.pageToken,
        },
        requiredScopes: [CALENDAR_READONLY_SCOPE],
      },
    );
    return {
      events: (page.items ?? []).map(normalizeGoogleEvent),
      nextPageToken: page.nextPageToken ?? null,
    };
  },
});
