import type { Context } from "hono";
import { PAGE_STYLE_HASH } from "../pages/layout";

/** Headers every HTML page sends: strict CSP (no script at all), no framing, no referrer, no caching. */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  // form-action must allow the provider origin: browsers apply it to the redirect after a form post.
  "Content-Security-Policy": `default-src 'none'; style-src '${PAGE_STYLE_HASH}'; img-src 'self' data:; form-action 'self' http: https:; base-uri 'none'; frame-ancestors 'none'`,
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
});

function applyPageHeaders(c: Context): void {
  for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) c.header(name, value);
}

/** An HTML page with the security headers (cookies set on `c` are kept). */
export function sendPage(
  c: Context,
  html: string,
  status: 200 | 400 | 403 | 404 | 409 | 410 | 500 = 200,
): Response {
  applyPageHeaders(c);
  return c.html(html, status);
}

/** A 303 after a form post or to the provider, with the security headers. */
export function seeOther(c: Context, location: string): Response {
  applyPageHeaders(c);
  return c.redirect(location, 303);
}
