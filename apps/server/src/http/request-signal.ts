import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import { nodeBindings } from "./context";

const SIGNAL = Symbol("scp.requestSignal");

type Carrier = { [SIGNAL]?: AbortSignal };

/**
 * An `AbortSignal` that aborts when the client goes away before the response finished — the same
 * condition (and reason) under which @hono/node-server aborts `Request.signal` — without building
 * the full WHATWG `Request` that reading `c.req.raw.signal` forces on @hono/node-server (a Request
 * plus a web stream over the body per call: several times the cost of a small API request).
 * Without Node bindings (`app.request` in tests) it is `c.req.raw.signal`.
 */
export function requestSignal(c: Context): AbortSignal {
  const { incoming, outgoing } = nodeBindings(c);
  if (!incoming || !outgoing || typeof outgoing.once !== "function") return c.req.raw.signal;
  const carrier = incoming as IncomingMessage & Carrier;
  const existing = carrier[SIGNAL];
  if (existing) return existing;
  const controller = new AbortController();
  carrier[SIGNAL] = controller.signal;
  if (outgoing.destroyed && !outgoing.writableFinished) {
    controller.abort("Client connection prematurely closed.");
  } else {
    outgoing.once("close", () => {
      if (incoming.errored) controller.abort(incoming.errored.toString());
      else if (!outgoing.writableFinished) controller.abort("Client connection prematurely closed.");
    });
  }
  return controller.signal;
}
