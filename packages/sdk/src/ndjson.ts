import { UnexpectedResponseError } from "@securecontext/protocol";
import { readLines } from "./lines";

/**
 * Parses newline-delimited JSON (`application/x-ndjson`) from a byte stream, yielding one value
 * per non-blank line. A line that is not JSON throws `UnexpectedResponseError` (with its line
 * number, never its content).
 */
export async function* parseNdjson(
  stream: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<unknown, void, undefined> {
  let lineNumber = 0;
  for await (const line of readLines(stream, signal)) {
    lineNumber++;
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw new UnexpectedResponseError(`Stream line ${lineNumber} is not valid JSON`, { cause });
    }
    yield value;
  }
}
