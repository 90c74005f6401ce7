import type { MailMessage } from "../data/generate";
import { GOOGLE_SCOPES } from "../profiles";
import { apiError } from "./errors";
import { decodePageToken, encodePageToken, includesText, pageSize } from "./paging";
import type { ApiRoute } from "./types";

const GMAIL_SCOPES = [
  GOOGLE_SCOPES.gmailReadonly,
  "https://mail.google.com/",
  "https://www.googleapis.com/auth/gmail.modify",
];

/** Splits a Gmail query into terms, keeping quoted phrases together. */
function terms(q: string): string[] {
  return [...q.matchAll(/(\w+:)?"([^"]*)"|\S+/g)].map((m) =>
    m[2] !== undefined ? `${m[1] ?? ""}${m[2]}` : m[0],
  );
}

/** Gmail search subset: free text, `from:`, `to:`, `subject:`, `is:unread|read|starred`, `after:`/`before:` (YYYY/MM/DD), `label:`. */
export function matchesGmailQuery(message: MailMessage, q: string): boolean {
  return terms(q).every((term) => {
    const negate = term.startsWith("-");
    const raw = negate ? term.slice(1) : term;
    const colon = raw.indexOf(":");
    const key = colon > 0 ? raw.slice(0, colon).toLowerCase() : "";
    const value = colon > 0 ? raw.slice(colon + 1) : raw;
    let result: boolean;
    switch (key) {
      case "from":
        result = includesText(`${message.from.name} <${message.from.email}>`, value);
        break;
      case "to":
        result = message.to.some((p) => includesText(`${p.name} <${p.email}>`, value));
        break;
      case "subject":
        result = includesText(message.subject, value);
        break;
      case "is":
        result =
          value === "unread"
            ? message.unread
            : value === "read"
              ? !message.unread
              : value === "starred"
                ? message.starred
                : false;
        break;
      case "label":
        result = message.labels.some((label) => label.toLowerCase() === value.toLowerCase());
        break;
      case "after":
      case "before": {
        const at = Date.parse(value.replaceAll("/", "-"));
        result = Number.isNaN(at)
          ? false
          : key === "after"
            ? message.receivedAt >= at
            : message.receivedAt < at;
        break;
      }
      default:
        result = [message.subject, message.from.name, message.from.email, message.snippet, message.body].some(
          (text) => includesText(text, raw),
        );
    }
    return negate ? !result : result;
  });
}

function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace("GMT", "+0000");
}

function address(person: { name: string; email: string }): string {
  return `${person.name} <${person.email}>`;
}

function b64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** A Gmail `users.messages` resource in the given format. */
export function gmailMessage(
  message: MailMessage,
  format: string,
  metadataHeaders: string[],
): Record<string, unknown> {
  const base = {
    id: message.id,
    threadId: message.threadId,
    labelIds: message.labels,
    snippet: message.snippet,
    historyId: String(100000 + (message.receivedAt % 900000)),
    internalDate: String(message.receivedAt),
    sizeEstimate: message.body.length + 600,
  };
  if (format === "minimal") return base;
  let headers = [
    { name: "From", value: address(message.from) },
    { name: "To", value: message.to.map(address).join(", ") },
    { name: "Subject", value: message.subject },
    { name: "Date", value: rfc2822(message.receivedAt) },
    { name: "Message-ID", value: `<${message.id}@mail.example.test>` },
    { name: "Content-Type", value: 'multipart/alternative; boundary="b1"' },
  ];
  if (format === "metadata") {
    if (metadataHeaders.length > 0) {
      const wanted = new Set(metadataHeaders.map((h) => h.toLowerCase()));
      headers = headers.filter((h) => wanted.has(h.name.toLowerCase()));
    }
    return { ...base, payload: { mimeType: "multipart/alternative", headers } };
  }
  const html = `<div>${escapeHtml(message.body).replaceAll("\n", "<br>")}</div>`;
  return {
    ...base,
    payload: {
      partId: "",
      mimeType: "multipart/alternative",
      filename: "",
      headers,
      body: { size: 0 },
      parts: [
        {
          partId: "0",
          mimeType: "text/plain",
          filename: "",
          headers: [{ name: "Content-Type", value: 'text/plain; charset="UTF-8"' }],
          body: { size: Buffer.byteLength(message.body), data: b64url(message.body) },
        },
        {
          partId: "1",
          mimeType: "text/html",
          filename: "",
          headers: [{ name: "Content-Type", value: 'text/html; charset="UTF-8"' }],
          body: { size: Buffer.byteLength(html), data: b64url(html) },
        },
      ],
    },
  };
}

export const gmailRoutes: ApiRoute[] = [
  {
    family: "google",
    method: "GET",
    pattern: /^\/gmail\/v1\/users\/me\/messages$/,
    name: "GET /gmail/v1/users/me/messages",
    scopes: GMAIL_SCOPES,
    handle({ url, data }) {
      const size = pageSize(url.searchParams.get("maxResults"), 100, 500);
      const offset = decodePageToken(url.searchParams.get("pageToken"));
      if (size === undefined) return apiError("google", 400, "Invalid maxResults");
      if (offset === undefined) return apiError("google", 400, "Invalid pageToken");
      const q = url.searchParams.get("q") ?? "";
      const labelIds = url.searchParams.getAll("labelIds");
      const matches = data.messages.filter(
        (m) => matchesGmailQuery(m, q) && labelIds.every((label) => m.labels.includes(label)),
      );
      const page = matches.slice(offset, offset + size);
      const next = offset + size < matches.length ? encodePageToken(offset + size) : undefined;
      return {
        status: 200,
        body: {
          ...(page.length > 0 ? { messages: page.map((m) => ({ id: m.id, threadId: m.threadId })) } : {}),
          ...(next ? { nextPageToken: next } : {}),
          resultSizeEstimate: matches.length,
        },
      };
    },
  },
  {
    family: "google",
    method: "GET",
    pattern: /^\/gmail\/v1\/users\/me\/messages\/([^/]+)$/,
    name: "GET /gmail/v1/users/me/messages/:id",
    scopes: GMAIL_SCOPES,
    handle({ url, params, data }) {
      const message = data.messages.find((m) => m.id === params[0]);
      if (!message) return apiError("google", 404, "Requested entity was not found.");
      const format = url.searchParams.get("format") ?? "full";
      if (!["full", "metadata", "minimal", "raw"].includes(format)) {
        return apiError("google", 400, `Invalid value at 'format' (${format})`);
      }
      return {
        status: 200,
        body: gmailMessage(
          message,
          format === "raw" ? "full" : format,
          url.searchParams.getAll("metadataHeaders"),
        ),
      };
    },
  },
];
