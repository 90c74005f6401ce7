import { definePagedAction } from "./define";
import { fetchGraphPage } from "./graph-paging";
import {
  type CalendarEvent,
  calendarEventsInputSchema,
  calendarEventsOutputSchema,
  calendarRange,
  isoDate,
} from "./schemas";

/** Graph delegated permission to read calendars. */
export const CALENDARS_READ_SCOPE = "Calendars.Read";

interface GraphDateTime {
  dateTime?: string;
  timeZone?: string;
}
/** The parts of a Graph `event` resource the normalizer reads. */
export interface GraphEventResource {
  id: string;
  subject?: string | null;
  start?: GraphDateTime;
  end?: GraphDateTime;
  isAllDay?: boolean;
  location?: { displayName?: string } | null;
  attendees?: Array<{ emailAddress?: { name?: string; address?: string }; status?: { response?: string } }>;
  webLink?: string;
}

const responses: Record<string, string> = {
  accepted: "accepted",
  organizer: "accepted",
  declined: "declined",
  tentativelyAccepted: "tentative",
  none: "needsAction",
  notResponded: "needsAction",
};

/** Graph date-times have no offset; with `Prefer: outlook.timezone="UTC"` they are UTC. */
function graphInstant(value: GraphDateTime | undefined): string | null {
  if (!value?.dateTime) return null;
  const hasOffset = /(?:Z|[+-]\d\d:?\d\d)$/.test(value.dateTime);
  const utc = !value.timeZone || /^(?:UTC|Etc\/UTC|GMT)$/i.test(value.timeZone);
  return isoDate(hasOffset || !utc ? value.dateTime : `${value.dateTime}Z`);
}

/** Normalizes a Graph event to the shared event shape (same as Google's). */
export function normalizeGraphEvent(event: GraphEventResource): CalendarEvent {
  const allDay = event.isAllDay === true;
  const start = graphInstant(event.start) ?? "";
  const end = graphInstant(event.end) ?? "";
  const location = event.location?.displayName;
  return {
    id: event.id,
    title: event.subject || "(no title)",
    start: allDay ? (event.start?.dateTime ?? start).slice(0, 10) : start,
    end: allDay ? (event.end?.dateTime ?? end).slice(0, 10) : end,
    allDay,
    location: location ? location : null,
    attendees: (event.attendees ?? [])
      .filter((attendee) => attendee.emailAddress?.address)
      .map((attendee) => ({
        email: attendee.emailAddress?.address as string,
        name: attendee.emailAddress?.name ?? null,
        response: attendee.status?.response
          ? (responses[attendee.status.response] ?? attendee.status.response)
          : null,
      })),
    link: event.webLink ?? null,
  };
}

/** `microsoft.calendar.events`: calendar view between two instants, in start order. */
export const microsoftCalendarEventsAction = definePagedAction({
  id: "microsoft.calendar.events",
  providerId: "microsoft",
  title: "List Outlook calendar events",
  description:
    "Lists events of the default Outlook / Microsoft 365 calendar between timeMin and timeMax (default: the next 7 days), with recurring events expanded, in start order.",
  requiredScopes: [CALENDARS_READ_SCOPE],
  input: calendarEventsInputSchema,
  output: calendarEventsOutputSchema,
  itemsKey: "events",
  async run(context, input) {
    const range = calendarRange(input);
    const page = await fetchGraphPage<GraphEventResource>(context, {
      path: "/v1.0/me/calendarView",
      pageToken: input.pageToken,
      query: {
        startDateTime: range.timeMin,
        endDateTime: range.timeMax,
        $top: input.maxResults,
        $orderby: "start/dateTime",
        $select: "id,subject,start,end,isAllDay,location,attendees,webLink",
      },
      headers: { prefer: 'outlook.timezone="UTC"' },
      requiredScopes: [CALENDARS_READ_SCOPE],
    });
    return { events: page.items.map(normalizeGraphEvent), nextPageToken: page.nextPageToken };
  },
});
