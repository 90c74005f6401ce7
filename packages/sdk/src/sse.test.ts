import { describe, expect, it } from "vitest";
import { parseSse } from "./sse";
import { collect, streamOf } from "./test-streams";

describe("parseSse", () => {
  it("parses events, names, ids and multi-line data", async () => {
    const events = await collect(
      parseSse(
        streamOf(['event: step.started\nid: 1\ndata: {"step":"a"}\n\n', "data: line1\ndata: line2\n\n"]),
      ),
    );
    expect(events).toEqual([
      { event: "step.started", data: '{"step":"a"}', id: "1", retry: undefined },
      // id persists across events, like EventSource's lastEventId
      { event: "message", data: "line1\nline2", id: "1", retry: undefined },
    ]);
  });

  it("handles CRLF, lone CR, and CR/LF split across chunks", async () => {
    const events = await collect(parseSse(streamOf(["data: a\r", "\n\r", "\ndata: b\rdata: c\r\r"])));
    expect(events.map((event) => event.data)).toEqual(["a", "b\nc"]);
  });

  it("ignores comments, unknown fields and events without data; strips only one space", async () => {
    const events = await collect(
      parseSse(streamOf([": keep-alive\n\nfoo: bar\nevent: x\n\ndata:  two spaces\ndata:none\n\n"])),
    );
    expect(events).toEqual([
      { event: "message", data: " two spaces\nnone", id: undefined, retry: undefined },
    ]);
  });

  it("splits multi-byte UTF-8 across chunks correctly and drops a BOM", async () => {
    const bytes = new TextEncoder().encode("\uFEFFdata: h\u00e9llo \u{1F600}\n\n");
    const chunks = Array.from(bytes, (byte) => Uint8Array.of(byte));
    const events = await collect(parseSse(streamOf(chunks)));
    expect(events.map((event) => event.data)).toEqual(["h\u00e9llo \u{1F600}"]);
  });

  it("reads retry and a field with no colon; drops a final event without its blank line", async () => {
    const events = await collect(parseSse(streamOf(["retry: 2500\ndata\n\nretry: x\ndata: last"])));
    expect(events).toEqual([{ event: "message", data: "", id: undefined, retry: 2500 }]);
  });

  it("ignores ids containing NUL", async () => {
    const events = await collect(parseSse(streamOf(["id: 7\ndata: a\n\nid: b\0c\ndata: b\n\n"])));
    expect(events.map((event) => event.id)).toEqual(["7", "7"]);
  });

  it("stops reading when aborted", async () => {
    const controller = new AbortController();
    const source = new ReadableStream<Uint8Array>({
      start(stream) {
        stream.enqueue(new TextEncoder().encode("data: one\n\n"));
      },
    });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of parseSse(source, controller.signal)) {
          seen.push(event.data);
          controller.abort(new Error("stop"));
        }
      })(),
    ).rejects.toThrow("stop");
    expect(seen).toEqual(["one"]);
  });
});
