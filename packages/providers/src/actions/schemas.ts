import { z } from "zod";

/**
 * Normalized input and output shapes shared by the Google and Microsoft twins of each action, so an
 * agent can treat `google.gmail.search` and `microsoft.mail.search` alike.
 */

const pageToken = z.string().min(1).max(4096).optional().describe("nextPageToken of the previous page");

export const mailSearchInputSchema = z.strictObject({
  query: z
    .string()
    .max(2048)
    .default("")
    .describe("Search text (provider search syntax); empty lists recent mail"),
  maxResults: z.number().int().min(1).max(100).default(25).describe("Messages per page"),
  pageToken,
});
export type MailSearchInput = z.output<typeof mailSearchInputSchema>;

export const mailMessageSummarySchema = z.object({
  id: z.string(),
  threadId: z.string(),
  /** `Name <address>` or the bare address. */
  from: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  snippet: z.string(),
  /** ISO 8601 UTC, or null when the provider gave no date. */
  date: z.string().nullable(),
  labels: z.array(z.string()),
});
export type MailMessageSummary = z.output<typeof mailMessageSummarySchema>;

export const mailSearchOutputSchema = z.object({
  messages: z.array(mailMessageSummarySchema),
  nextPageToken: z.string().nullable(),
});
export type MailSearchOutput = z.output<typeof mailSearchOutputSchema>;

export const mailGetInputSchema = z.strictObject({
  id: z.string().min(1).max(1024).describe("Message id from a mail search"),
});
export type MailGetInput = z.output<typeof mailGetInputSchema>;

export const mailMessageSchema = mailMessageSummarySchema.extend({
  cc: z.array(z.string()),
  /** Plain-text body (HTML converted to text when the message has no text part). */
  body: z.string(),
});
export type MailMessage = z.output<typeof mailMessageSchema>;

export const calendarEventsInputSchema = z.strictObject({
  timeMin: z.iso.datetime({ offset: true }).optional().describe("Start of the range (ISO 8601); default now"),
  timeMax: z.iso
    .datetime({ offset: true })
    .optional()
    .describe("End of the range (ISO 8601); default timeMin + 7 days"),
  maxResults: z.number().int().min(1).max(250).default(50).describe("Events per page"),
  pageToken,
});
export type CalendarEventsInput = z.output<typeof calendarEventsInputSchema>;

export const calendarAttendeeSchema = z.object({
  email: z.string(),
  name: z.string().nullable(),
  /** `accepted`, `declined`, `tentative`, `needsAction` (Google vocabulary for both providers). */
  response: z.string().nullable(),
});

export const calendarEventSchema = z.object({
  id: z.string(),
  title: z.string(),
  /** ISO 8601 UTC date-time, or `YYYY-MM-DD` for all-day events. */
  start: z.string(),
  end: z.string(),
  allDay: z.boolean(),
  location: z.string().nullable(),
  attendees: z.array(calendarAttendeeSchema),
  link: z.string().nullable(),
});
export type CalendarEvent = z.output<typeof calendarEventSchema>;

export const calendarEventsOutputSchema = z.object({
  events: z.array(calendarEventSchema),
  nextPageToken: z.string().nullable(),
});
export type CalendarEventsOutput = z.output<typeof calendarEventsOutputSchema>;

export const driveSearchInputSchema = z.strictObject({
  query: z.string().min(1).max(1024).describe("Text to look for in file names and contents"),
  maxResults: z.number().int().min(1).max(100).default(25).describe("Files per page"),
  pageToken,
});
export type DriveSearchInput = z.output<typeof driveSearchInputSchema>;

export const driveFileSchema = z.object({
  id: z.string(),
  name: z.string(),
  mimeType: z.string(),
  /** ISO 8601 UTC. */
  modifiedTime: z.string().nullable(),
  link: z.string().nullable(),
  isFolder: z.boolean(),
});
export type DriveFile = z.output<typeof driveFileSchema>;

export const driveSearchOutputSchema = z.object({
  files: z.array(driveFileSchema),
  nextPageToken: z.string().nullable(),
});
export type DriveSearchOutput = z.output<typeof driveSearchOutputSchema>;

/** The default calendar range: `[timeMin ?? now, timeMax ?? timeMin + 7 days]`, as ISO strings. */
export function calendarRange(
  input: CalendarEventsInput,
  now = Date.now(),
): { timeMin: string; timeMax: string } {
  const min = input.timeMin ? Date.parse(input.timeMin) : now;
  const max = input.timeMax ? Date.parse(input.timeMax) : min + 7 * 24 * 60 * 60 * 1000;
  return { timeMin: new Date(min).toISOString(), timeMax: new Date(max).toISOString() };
}

/** Normalizes any parseable date to ISO 8601 UTC; null when absent or unparseable. */
export function isoDate(value: string | number | undefined | null): string | null {
  if (value === undefined || value === null || value === "") return null;
  const ms = typeof value === "number" ? value : /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
