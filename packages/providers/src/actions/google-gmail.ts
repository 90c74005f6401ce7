import type { ActionContext } from "../types";
import { mapWithConcurrency } from "./concurrency";
import { defineAction, definePagedAction } from "./define";
import { callProviderApi } from "./http";
import {
  isoDate,
  type MailMessage,
  type MailMessageSummary,
  mailGetInputSchema,
  mailMessageSchema,
  mailSearchInputSchema,
  mailSearchOutputSchema,
} from "./schemas";
import { decodeBase64Url, htmlToText, splitAddressList } from "./text";

/** Gmail read-only scope, required by both Gmail actions. */
export const GMAIL_READONLY_SCOPE = "https://www.googleapis.com/auth/gmail.readonly";

/** The parts of a Gmail `users.messages` resource the normalizers read. */
export interface GmailMessagePart {
  mimeType?: string;
  filename?: string;
  headers?: Array<{ name: string; value: string }>;
  body?: { data?: string; size?: number; attachmentId?: string };
  parts?: GmailMessagePart[];
}
export interface GmailMessageResource {
  id: string;
  threadId?: string;
  labelIds?: string[];
  snippet?: string;
  internalDate?: string;
  payload?: GmailMessagePart;
}
interface GmailListResponse {
  messages?: Array<{ id: string; threadId?: string }>;
  nextPageToken?: string;
}

function header(message: GmailMessageResource, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return message.payload?.headers?.find((entry) => entry.name.toLowerCase() === wanted)?.value;
}

/** Normalizes a Gmail message (format `metadata` or `full`) to the shared summary shape. */
export function normalizeGmailSummary(message: GmailMessageResource): MailMessageSummary {
  return {
    id: message.id,
    threadId: message.threadId ?? message.id,
    from: header(message, "From") ?? "",
    to: splitAddressList(header(message, "To")),
    subject: header(message, "Subject") ?? "",
    snippet: message.snippet ?? "",
    date: isoDate(message.internalDate) ?? isoDate(header(message, "Date")),
    labels: message.labelIds ?? [],
  };
}

function findPart(part: GmailMessagePart | undefined, mimeType: string): GmailMessagePart | undefined {
  if (!part) return undefined;
  if (part.mimeType === mimeType && !part.filename && part.body?.data) return part;
  for (const child of part.parts ?? []) {
    const found = findPart(child, mimeType);
    if (found) return found;
  }
  return undefined;
}

/** The plain-text body of a `full` Gmail message: its text/plain part, else its HTML as text. */
export function gmailPlainTextBody(message: GmailMessageResource): string {
  const plain = findPart(message.payload, "text/plain");
  if (plain?.body?.data) return decodeBase64Url(plain.body.data);
  const html = findPart(message.payload, "text/html");
  if (html?.body?.data) return htmlToText(decodeBase64Url(html.body.data));
  return message.snippet ?? "";
}

/** Normalizes a `full` Gmail message, decoding its body. */
export function normalizeGmailMessage(message: GmailMessageResource): MailMessage {
  return {
    ...normalizeGmailSummary(message),
    cc: splitAddressList(header(message, "Cc")),
    body: gmailPlainTextBody(message),
  };
}

const messagePath = (id: string) => `/gmail/v1/users/me/messages/${encodeURIComponent(id)}`;

async function searchPage(
  context: ActionContext,
  input: { query: string; maxResults: number; pageToken?: string | undefined },
) {
  const requiredScopes = [GMAIL_READONLY_SCOPE];
  const list = await callProviderApi<GmailListResponse>(context, "/gmail/v1/users/me/messages", {
    query: { q: input.query || undefined, maxResults: input.maxResults, pageToken: input.pageToken },
    requiredScopes,
  });
  const messages = await mapWithConcurrency(list.messages ?? [], 8, (entry) =>
    callProviderApi<GmailMessageResource>(context, messagePath(entry.id), {
      query: { format: "metadata", metadataHeaders: ["From", "To", "Subject", "Date"] },
      requiredScopes,
    }),
  );
  return { messages: messages.map(normalizeGmailSummary), nextPageToken: list.nextPageToken ?? null };
}

/** `google.gmail.search`: messages matching a Gmail query, one page at a time. */
export const gmailSearchAction = definePagedAction({
  id: "google.gmail.search",
  providerId: "google",
  title: "Search Gmail",
  description:
    "Finds Gmail messages matching a Gmail search query (for example `from:alice is:unread newer_than:7d`) and returns sender, recipients, subject, snippet, date and labels.",
  requiredScopes: [GMAIL_READONLY_SCOPE],
  input: mailSearchInputSchema,
  output: mailSearchOutputSchema,
  itemsKey: "messages",
  run: searchPage,
});

/** `google.gmail.get`: one message with its plain-text body. */
export const gmailGetAction = defineAction({
  id: "google.gmail.get",
  providerId: "google",
  title: "Read a Gmail message",
  description: "Returns one Gmail message with its headers and decoded plain-text body.",
  requiredScopes: [GMAIL_READONLY_SCOPE],
  input: mailGetInputSchema,
  output: mailMessageSchema,
  async run(context, input) {
    const message = await callProviderApi<GmailMessageResource>(context, messagePath(input.id), {
      query: { format: "full" },
      requiredScopes: [GMAIL_READONLY_SCOPE],
    });
    return normalizeGmailMessage(message);
  },
});
