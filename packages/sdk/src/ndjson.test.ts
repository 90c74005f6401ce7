import { UnexpectedResponseError } from "@securecontext/protocol";
import { describe, expect, it } from "vitest";
import { parseNdjson } from "./ndjson";
import { collect, streamOf } from "./test-streams";

describe("parseNdjson", () => {
  it("yields one value per line across arbitrary chunk boundaries", async () => {
    const values = await collect(
      parseNdjson(streamOf(['{"a":', "1}\n", '{"b":2}\r\n\n', '{"done":true,"count":2}'])),
    );
    expect(values).toEqual([{ a: 1 }, { b: 2 }, { done: true, count: 2 }]);
  });

  it("rejects a non-JSON line without echoing it", async () => {
    const error = await collect(parseNdjson(streamOf(['{"a":1}\n', "secret-token-xyz\n"]))).catch((e) => e);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error.message).toBe("Stream line 2 is not valid JSON");
  });

  it("cancels the underlying stream when the consumer stops early", async () => {
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('{"n":1}\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const _value of parseNdjson(source)) break;
    expect(cancelled).toBe(true);
  });
});
