import { abortReason } from "./abort";

/**
 * Decodes a byte stream as UTF-8 and yields its lines, split on `\n`, `\r\n` or a lone `\r`
 * (a `\r` at the end of one chunk and `\n` at the start of the next count as one break). The last
 * line is yielded even without a terminator. Releases the stream when the consumer stops early or
 * `signal` aborts.
 */
export async function* readLines(
  stream: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<string, void, undefined> {
  const reader = stream.getReader();
  const decoder = new TextDecoder("utf-8");
  const onAbort = () => {
    reader.cancel(signal ? abortReason(signal) : undefined).catch(() => {});
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  let buffer = "";
  let skipLeadingLf = false;
  try {
    while (true) {
      if (signal?.aborted) throw abortReason(signal);
      const { done, value } = await reader.read();
      if (signal?.aborted) throw abortReason(signal);
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let start = 0;
      for (let index = 0; index < buffer.length; index++) {
        const char = buffer.charCodeAt(index);
        if (char === 10 /* \n */ && skipLeadingLf && index === start) {
          skipLeadingLf = false;
          start = index + 1;
          continue;
        }
        skipLeadingLf = false;
        if (char === 10 || char === 13) {
          yield buffer.slice(start, index);
          if (char === 13) {
            if (index + 1 < buffer.length) {
              if (buffer.charCodeAt(index + 1) === 10) index++;
            } else {
              skipLeadingLf = true;
            }
          }
          start = index + 1;
        }
      }
      buffer = buffer.slice(start);
      if (done) {
        if (buffer.length > 0) yield buffer;
        return;
      }
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
