import { defineAction, definePagedAction } from "./define";
import { fetchGraphPage } from "./graph-paging";
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
import { formatAddress, htmlToText } from "./text";

/** Graph delegated permission to read mail. */
export const MAIL_READ_SCOPE = "Mail.Read";

interface GraphRecipient {
  emailAddress?: { name?: string; address?: string };
}
/** The parts of a Graph `message` resource the normalizers read. */
export interface GraphMessageResource {
  id: string;
  conversationId?: string;
  subject?: string | null;
  bodyPreview?: string;
  receivedDateTime?: string;
  sentDateTime?: string;
  from?: GraphRecipient | null;
  sender?: GraphRecipient | null;
  toRecipients?: GraphRecipient[];
  ccRecipients?: GraphRecipient[];
  categories?: string[];
  isRead?: boolean;
  importance?: string;
  body?: { contentType?: string; content?: string };
}

const summaryFields =
  "id,conversationId,subject,bodyPreview,receivedDateTime,sentDateTime,from,sender,toRecipients,categories,isRead,importance";

function recipient(value: GraphRecipient | null | undefined): string {
  return formatAddress(value?.emailAddress?.name, value?.emailAddress?.address);
}

/** Normalizes a Graph message to the shared summary shape (same as Gmail's). */
export function normalizeGraphSummary(message: GraphMessageResource): MailMessageSummary {
  return {
    id: message.id,
    threadId: message.conversationId ?? message.id,
    from: recipient(message.from ?? message.sender),
    to: (message.toRecipients ?? []).map(recipient).filter(Boolean),
    subject: message.subject ?? "",
    snippet: message.bodyPreview ?? "",
    date: isoDate(message.receivedDateTime ?? message.sentDateTime),
    labels: [
      ...(message.categories ?? []),
      ...(message.isRead === false ? ["UNREAD"] : []),
      ...(message.importance === "high" ? ["IMPORTANT"] : []),
    ],
  };
}

/** Normalizes a Graph message with its body (HTML converted to text). */
export function normalizeGraphMessage(message: GraphMessageResource): MailMessage {
  const content = message.body?.content ?? "";
  return {
    ...normalizeGraphSummary(message),
    cc: (message.ccRecipients ?? []).map(recipient).filter(Boolean),
    body: message.body?.contentType?.toLowerCase() === "html" ? htmlToText(content) : content.trim(),
  };
}

/** `$search` value: a quoted KQL phrase; embedded double quotes are escaped. */
export function graphSearchPhrase(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** `microsoft.mail.search`: Outlook messages matching a search, newest first. */
export const microsoftMailSearchAction = definePagedAction({
  id: "microsoft.mail.search",
  providerId: "microsoft",
  title: "Search Outlook mail",
  description:
    "Finds Outlook / Microsoft 365 messages matching search text (KQL, for example `from:alice subject:invoice`) and returns sender, recipients, subject, snippet, date and labels (categories, UNREAD).",
  requiredScopes: [MAIL_READ_SCOPE],
  input: mailSearchInputSchema,
  output: mailSearchOutputSchema,
  itemsKey: "messages",
  async run(context, input) {
    const page = await fetchGraphPage<GraphMessageResource>(context, {
      path: "/v1.0/me/messages",
      pageToken: input.pageToken,
      query: input.query
        ? { $search: graphSearchPhrase(input.query), $top: input.maxResults, $select: summaryFields }
        : { $orderby: "receivedDateTime desc", $top: input.maxResults, $select: summaryFields },
      requiredScopes: [MAIL_READ_SCOPE],
    });
    return { messages: page.items.map(normalizeGraphSummary), nextPageToken: page.nextPageToken };
  },
});

/** `microsoft.mail.get`: one message with its plain-text body. */
export const microsoftMailGetAction = defineAction({
  id: "microsoft.mail.get",
  providerId: "microsoft",
  title: "Read an Outlook message",
  description: "Returns one Outlook / Microsoft 365 message with its headers and plain-text body.",
  requiredScopes: [MAIL_READ_SCOPE],
  input: mailGetInputSchema,
  output: mailMessageSchema,
  async run(context, input) {
    const message = await callProviderApi<GraphMessageResource>(
      context,
      `/v1.0/me/messages/${encodeURIComponent(input.id)}`,
      {
        query: { $select: `${summaryFields},ccRecipients,body` },
        headers: { prefer: 'outlook.body-content-type="text"' },
        requiredScopes: [MAIL_READ_SCOPE],
      },
    );
    return normalizeGraphMessage(message);
  },
});
