/**
 * The reference servers of the benches (plain JavaScript, so floor-process.mjs runs under callgrind
 * with nothing but node: a loader like tsx added ~6k instructions to every request it counted).
 */
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";

const CONSTANT_BODY = { ok: true, message: "constant body", n: 42 };

/**
 * The reference servers: `bare` is node:http answering a constant JSON body (the baseline every
 * ratio is against); `hono` the smallest Hono app on @hono/node-server answering the same with
 * `c.json`, a row without a target whose loss against bare is the framework's own cost, paid by
 * every request of the server before any of its own work.
 *
 * @param {"bare" | "hono"} mode
 * @returns {import("node:http").RequestListener}
 */
export function floorListener(mode) {
  if (mode === "hono") {
    const app = new Hono();
    app.get("/", (c) => c.json(CONSTANT_BODY));
    return getRequestListener(app.fetch);
  }
  const body = JSON.stringify(CONSTANT_BODY);
  return (_req, res) => {
    res
      .writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
      .end(body);
  };
}
