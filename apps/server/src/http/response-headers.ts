import type { Context } from "hono";

/**
 * Sets headers on the response a handler already produced. Hono's `c.header()` after the handler
 * copies the whole response (and on @hono/node-server turns its lightweight response into a full
 * WHATWG one with a streamed body) once per call; setting them in place on the response's own
 * headers costs nothing. Responses with immutable headers (a `fetch()` result passed through) fall
 * back to `c.header()`, which copies.
 */
export function setResponseHeaders(c: Context, headers: Readonly<Record<string, string>>): void {
  let target: Headers | undefined;
  try {
    target = c.res.headers;
    for (const name in headers) target.set(name, headers[name] as string);
  } catch {
    for (const name in headers) c.header(name, headers[name] as string);
  }
}
