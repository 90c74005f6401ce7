import type { CalendarEvent, DriveFile, MailMessage, UserData } from "../data/generate";
import { GRAPH_SCOPES } from "../profiles";
import { apiError } from "./errors";
import { matchesGmailQuery } from "./gmail";
import { includesText, pageSize } from "./paging";
import type { ApiRequest, ApiResult, ApiRoute } from "./types";

const FILES_SCOPES = [GRAPH_SCOPES.filesReadAll, "https://graph.microsoft.com/Files.Read"];

function graphDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$10000");
}

function emailAddress(person: { name: string; email: string }) {
  return { emailAddress: { name: person.name, address: person.email } };
}

/** Graph ids look like long base64 strings; derive a stable one. */
function graphId(prefix: string, id: string): string {
  return `${prefix}${Buffer.from(id).toString("base64url")}`;
}

export function graphMessage(message: MailMessage, apiBaseUrl: string): Record<string, unknown> {
  const id = graphId("AAMkAD", message.id);
  return {
    "@odata.etag": `W/"${message.id}"`,
    id,
    createdDateTime: new Date(message.receivedAt).toISOString(),
    lastModifiedDateTime: new Date(message.receivedAt).toISOString(),
    receivedDateTime: new Date(message.receivedAt).toISOString(),
    sentDateTime: new Date(message.receivedAt - 5000).toISOString(),
    hasAttachments: false,
    internetMessageId: `<${message.id}@mail.example.test>`,
    subject: message.subject,
    bodyPreview: message.snippet,
    importance: "normal",
    parentFolderId: "inbox",
    conversationId: graphId("AAQkAD", message.threadId),
    isRead: !message.unread,
    isDraft: false,
    webLink: `${apiBaseUrl}/owa/?ItemID=${encodeURIComponent(id)}`,
    body: { contentType: "text", content: message.body },
    sender: emailAddress(message.from),
    from: emailAddress(message.from),
    toRecipients: message.to.map(emailAddress),
    ccRecipients: [],
    categories: message.labels.includes("STARRED") ? ["Important"] : [],
    flag: { flagStatus: message.starred ? "flagged" : "notFlagged" },
  };
}

export function graphEvent(event: CalendarEvent): Record<string, unknown> {
  const id = graphId("AAMkAGE", event.id);
  return {
    id,
    subject: event.summary,
    bodyPreview: event.description,
    body: { contentType: "text", content: event.description },
    start: { dateTime: graphDateTime(event.start), timeZone: "UTC" },
    end: { dateTime: graphDateTime(event.end), timeZone: "UTC" },
    location: { displayName: event.location },
    isAllDay: false,
    isCancelled: false,
    showAs: "busy",
    organizer: emailAddress(event.organizer),
    attendees: event.attendees.map((a) => ({
      type: "required",
      status: {
        response:
          a.responseStatus === "needsAction"
            ? "none"
            : a.responseStatus === "tentative"
              ? "tentativelyAccepted"
              : a.responseStatus,
        time: "0001-01-01T00:00:00Z",
      },
      ...emailAddress(a),
    })),
    webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`,
  };
}

export function graphDriveItem(file: DriveFile, data: UserData): Record<string, unknown> {
  return {
    id: `01${file.id.slice(1, 27).toUpperCase()}`,
    name: file.officeName,
    size: file.size,
    createdDateTime: new Date(file.createdAt).toISOString(),
    lastModifiedDateTime: new Date(file.modifiedAt).toISOString(),
    webUrl: `https://contoso-my.sharepoint.com/personal/${data.user.email.replace(/[@.]/g, "_")}/Documents/${encodeURIComponent(file.officeName)}`,
    file: { mimeType: file.officeMimeType },
    parentReference: { driveType: "business", path: "/drive/root:" },
  };
}

/** Reads `$search="…"` (quotes optional). */
function searchTerm(url: URL): string | undefined {
  const raw = url.searchParams.get("$search");
  if (raw === null) return undefined;
  return raw.replace(/^"(.*)"$/, "$1");
}

/** Pages `items` with `$top`/`$skip`, adding an absolute `@odata.nextLink` on the API base. */
function pagedCollection(
  request: ApiRequest,
  context: string,
  items: Array<Record<string, unknown>>,
  defaultTop: number,
): ApiResult {
  const { url, apiBaseUrl } = request;
  const top = pageSize(url.searchParams.get("$top"), defaultTop, 1000);
  const skipRaw = url.searchParams.get("$skip") ?? "0";
  if (top === undefined || !/^\d+$/.test(skipRaw)) {
    return apiError("graph", 400, "Invalid $top or $skip query option.");
  }
  const skip = Number(skipRaw);
  const page = items.slice(skip, skip + top);
  let nextLink: string | undefined;
  if (skip + top < items.length) {
    const next = new URL(url.pathname, apiBaseUrl);
    for (const [key, value] of url.searchParams)
      if (key !== "$skip" && key !== "$top") next.searchParams.append(key, value);
    next.searchParams.set("$top", String(top));
    next.searchParams.set("$skip", String(skip + top));
    nextLink = next.href;
  }
  return {
    status: 200,
    body: {
      "@odata.context": `${apiBaseUrl}/v1.0/$metadata#${context}`,
      value: page,
      ...(nextLink ? { "@odata.nextLink": nextLink } : {}),
    },
  };
}

/** `isRead eq false|true` — the one `$filter` the fake Graph understands. */
function readFilter(url: URL): ((m: MailMessage) => boolean) | null | undefined {
  const filter = url.searchParams.get("$filter");
  if (filter === null) return null;
  const match = /^\s*isRead\s+eq\s+(true|false)\s*$/i.exec(filter);
  if (!match) return undefined;
  const wanted = match[1]!.toLowerCase() === "true";
  return (m) => !m.unread === wanted;
}

function messagesHandler(request: ApiRequest): ApiResult {
  const search = searchTerm(request.url);
  const filter = readFilter(request.url);
  if (filter === undefined)
    return apiError("graph", 400, "Unsupported $filter; only 'isRead eq true|false' is supported.");
  const matches = request.data.messages.filter(
    (m) => (search === undefined || matchesGmailQuery(m, search)) && (filter === null || filter(m)),
  );
  return pagedCollection(
    request,
    "users('me')/messages",
    matches.map((m) => graphMessage(m, request.apiBaseUrl)),
    10,
  );
}

function eventsIn(request: ApiRequest, start: number | null, end: number | null): ApiResult {
  const matches = request.data.events.filter(
    (e) => (start === null || e.end > start) && (end === null || e.start < end),
  );
  return pagedCollection(request, "users('me')/events", matches.map(graphEvent), 10);
}

export const graphRoutes: ApiRoute[] = [
  {
    family: "graph",
    method: "GET",
    pattern: /^\/v1\.0\/me$/,
    name: "GET /v1.0/me",
    scopes: [GRAPH_SCOPES.userRead],
    handle({ data, apiBaseUrl }) {
      const [givenName, ...rest] = data.user.name.split(" ");
      return {
        status: 200,
        body: {
          "@odata.context": `${apiBaseUrl}/v1.0/$metadata#users/$entity`,
          id: data.user.subject,
          displayName: data.user.name,
          givenName,
          surname: rest.join(" "),
          mail: data.user.email,
          userPrincipalName: data.user.email,
          jobTitle: null,
          officeLocation: null,
          preferredLanguage: "en-US",
          businessPhones: [],
          mobilePhone: null,
        },
      };
    },
  },
  {
    family: "graph",
    method: "GET",
    pattern: /^\/v1\.0\/me\/(?:mailFolders\/inbox\/)?messages$/,
    name: "GET /v1.0/me/messages",
    scopes: [GRAPH_SCOPES.mailRead, "https://graph.microsoft.com/Mail.ReadWrite"],
    handle: messagesHandler,
  },
  {
    family: "graph",
    method: "GET",
    pattern: /^\/v1\.0\/me\/messages\/([^/]+)$/,
    name: "GET /v1.0/me/messages/:id",
    scopes: [GRAPH_SCOPES.mailRead, "https://graph.microsoft.com/Mail.ReadWrite"],
    handle({ params, data, apiBaseUrl }) {
      const message = data.messages.find((m) => graphId("AAMkAD", m.id) === params[0]);
      if (!message) return apiError("graph", 404, "The specified object was not found in the store.");
      return { status: 200, body: graphMessage(message, apiBaseUrl) };
    },
  },
  {
    family: "graph",
    method: "GET",
    pattern: /^\/v1\.0\/me\/events$/,
    name: "GET /v1.0/me/events",
    scopes: [GRAPH_SCOPES.calendarsRead, "https://graph.microsoft.com/Calendars.ReadWrite"],
    handle: (request) => eventsIn(request, null, null),
  },
  {
    family: "graph",
    method: "GET",
    pattern: /^\/v1\.0\/me\/calendarView$/,
    name: "GET /v1.0/me/calendarView",
    scopes: [GRAPH_SCOPES.calendarsRead, "https://graph.microsoft.com/Calendars.ReadWrite"],
    handle(request) {
      const startRaw = request.url.searchParams.get("startDateTime");
      const endRaw = request.url.searchParams.get("endDateTime");
      if (!startRaw || !endRaw) {
        return apiError(
          "graph",
          400,
          "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
        );
      }
      const start = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(startRaw) ? startRaw : `${startRaw}Z`);
      const end = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(endRaw) ? endRaw : `${endRaw}Z`);
      if (Number.isNaN(start) || Number.isNaN(end))
        return apiError("graph", 400, "Invalid StartDateTime or EndDateTime.");
      return eventsIn(request, start, end);
    },
  },
  {
    family: "graph",
    method: "GET",
    pattern: /^\/v1\.0\/me\/drive\/root\/search\(q='((?:[^']|'')*)'\)$/,
    name: "GET /v1.0/me/drive/root/search",
    scopes: FILES_SCOPES,
    handle(request) {
      const term = request.params[0]!.replaceAll("''", "'");
      const matches = request.data.files.filter((f) => includesText(`${f.officeName} ${f.content}`, term));
      return pagedCollection(
        request,
        "Collection(driveItem)",
        matches.map((f) => graphDriveItem(f, request.data)),
        200,
      );
    },
  },
];
