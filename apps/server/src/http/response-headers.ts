import type { ServerResponse } from "node:http";
import type { Context } from "hono";
import { nodeBindings } from "./context";

/**
 * Adds headers to the response of this request, after the handler produced it.
 *
 * Under @hono/node-server they go straight onto the Node `ServerResponse`: the adapter writes the
 * handler's response with `writeHead(status, headers)`, which merges headers set earlier with
 * `setHeader` (the handler's own value wins on a clash). The `Response` object is never touched,
 * so its plain header object stays on the adapter's fast path; reading `c.res.headers` would turn
 * it into a WHATWG `Headers` that is then iterated, sorted and copied once more to be written.
 *
 * Without Node bindings (`app.request` in tests), or once headers went out (a stream), they are set
 * on the response's own headers; immutable ones (a `fetch()` result passed through) fall back to
 * `c.header()`, which copies the response.
 */
export function setResponseHeaders(c: Context, headers: Readonly<Record<string, string>>): void {
  if (presetResponseHeaders(c, headers)) return;
  try {
    const target = c.res.headers;
    for (const name in headers) target.set(name, headers[name] as string);
  } catch {
    for (const name in headers) c.header(name, headers[name] as string);
  }
}

/**
 * Puts `headers` on the Node response before the handler runs, so they go out with whichever
 * response this request ends with (the adapter's `writeHead` merges them into the handler's or the
 * error handler's response alike) and nothing has to wait for the handler to set them. False
 * without Node bindings: the caller sets them afterwards with {@link setResponseHeaders}.
 */
export function presetResponseHeaders(c: Context, headers: Readonly<Record<string, string>>): boolean {
  const outgoing = unsentNodeResponse(c);
  if (!outgoing) return false;
  for (const name in headers) outgoing.setHeader(name, headers[name] as string);
  return true;
}

/**
 * `Cache-Control: no-store` for the response a handler is about to return (token and secret
 * responses). On Node it goes on the `ServerResponse` for the reason above; `c.header()` before the
 * response exists would give the response a WHATWG `Headers` instead of a plain object.
 */
export function noStore(c: Context): void {
  const outgoing = unsentNodeResponse(c);
  if (outgoing) outgoing.setHeader("Cache-Control", "no-store");
  else c.header("Cache-Control", "no-store");
}

/** The Node response under @hono/node-server while its headers can still change. */
function unsentNodeResponse(c: Context): ServerResponse | undefined {
  const { outgoing } = nodeBindings(c);
  return outgoing && typeof outgoing.setHeader === "function" && !outgoing.headersSent ? outgoing : undefined;
}
