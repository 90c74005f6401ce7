import { readLines } from "./lines";

/** One Server-Sent Event as the HTML standard's parser dispatches it. */
export interface ServerSentEvent {
  /** `event:` field; `message` when the server sent none. */
  event: string;
  /** `data:` lines joined with `\n`. */
  data: string;
  /** The last event id seen so far (`id:` persists across events, as in `EventSource`). */
  id: string | undefined;
  /** `retry:` reconnection time in ms, when this event carried one. */
  retry: number | undefined;
}

/**
 * Parses a `text/event-stream` body per the HTML standard (§9.2.6): `:` comments are ignored,
 * one leading space after the colon is stripped, multi-line `data` is joined with `\n`, an event
 * is dispatched on a blank line only when it has data, and a final event without its blank line
 * is dropped. A leading BOM is ignored.
 */
export async function* parseSse(
  stream: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  let eventType = "";
  let data: string[] = [];
  let lastEventId: string | undefined;
  let retry: number | undefined;
  let first = true;
  for await (const raw of readLines(stream, signal)) {
    const line = first && raw.startsWith("\uFEFF") ? raw.slice(1) : raw;
    first = false;
    if (line === "") {
      if (data.length > 0) {
        yield { event: eventType || "message", data: data.join("\n"), id: lastEventId, retry };
      }
      eventType = "";
      data = [];
      retry = undefined;
      continue;
    }
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        eventType = value;
        break;
      case "data":
        data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) retry = Number(value);
        break;
      default:
        break;
    }
  }
}
