import type { Context } from "hono";
import { nodeBindings } from "./context";

/**
 * One request header, by lowercase name. Under @hono/node-server it is read from Node's own parsed
 * headers: `c.req.header()` builds a WHATWG `Headers` of every header of the request (validating
 * each) on first use, which cost more than a small API call's own work. Node keeps the first of
 * duplicated singleton headers (`authorization`, `content-type`, `content-length`, …) and joins
 * others with ", ". Without Node bindings (`app.request` in tests) it is `c.req.header(name)`.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const { incoming } = nodeBindings(c);
  if (incoming?.headers) {
    const value = incoming.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  }
  return c.req.header(name);
}

/**
 * True when the request carries the (lowercase) header `name` on more than one line. Node keeps only
 * the first of a duplicated `Authorization`; a front proxy may honour another, so credentials sent
 * twice are refused rather than guessed at.
 */
export function headerRepeated(c: Context, name: string): boolean {
  const raw = nodeBindings(c).incoming?.rawHeaders;
  if (!raw) return false;
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i] as string;
    if (key.length === name.length && key.toLowerCase() === name && ++seen > 1) return true;
  }
  return false;
}
