/**
 * A reference server for the instruction-count bench, in its own process (so callgrind counts it
 * alone): `bare` is node:http answering a constant JSON body, `hono` the smallest Hono app on
 * @hono/node-server answering the same (what http.bench.ts runs in-process as its baseline and
 * reference row). Replies `{ port }` over IPC once listening.
 */
import { createServer } from "node:http";

const mode = process.argv[2];
const CONSTANT_BODY = { ok: true, message: "constant body", n: 42 };
let listener;
if (mode === "bare") {
  const body = JSON.stringify(CONSTANT_BODY);
  listener = (_req, res) =>
    res
      .writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
      .end(body);
} else if (mode === "hono") {
  const { Hono } = await import("hono");
  const { getRequestListener } = await import("@hono/node-server");
  const app = new Hono();
  app.get("/", (c) => c.json(CONSTANT_BODY));
  listener = getRequestListener(app.fetch);
} else {
  throw new Error(`unknown floor server ${mode}`);
}
const server = createServer(listener);
server.listen(0, "127.0.0.1", () => process.send?.({ ok: true, port: server.address().port }));
