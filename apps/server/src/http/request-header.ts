import type { IncomingMessage } from "node:http";
import type { Context } from "hono";

/**
 * One request header, by lowercase name. Under @hono/node-server it is read from Node's own parsed
 * headers: `c.req.header()` builds a WHATWG `Headers` of every header of the request (validating
 * each) on first use, which cost more than a small API call's own work. Node keeps the first of
 * duplicated singleton headers (`authorization`, `content-type`, `content-length`, …) and joins
 * others with ", ". Without Node bindings (`app.request` in tests) it is `c.req.header(name)`.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming?.headers) {
    const value = incoming.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  }
  return c.req.header(name);
}
