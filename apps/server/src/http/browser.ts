import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { ForbiddenError } from "@securecontext/protocol";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";

/** Cookie binding a browser to its consent flow (and the CSRF tokens of its forms). */
export const BINDING_COOKIE = "scp_binding";
const BINDING_PATTERN = /^[A-Za-z0-9_-]{32,64}$/;

/** The browser binding from the cookie, or a new one set on the response (HttpOnly, SameSite=Lax). */
export function ensureBrowserBinding(c: Context, secure: boolean): string {
  const existing = getCookie(c, BINDING_COOKIE);
  if (existing && BINDING_PATTERN.test(existing)) return existing;
  const binding = randomBytes(32).toString("base64url");
  setCookie(c, BINDING_COOKIE, binding, {
    httpOnly: true,
    sameSite: "Lax",
    path: "/",
    secure,
    maxAge: 60 * 60,
  });
  return binding;
}

/** The binding cookie if present and well-formed. */
export function browserBinding(c: Context): string | undefined {
  const value = getCookie(c, BINDING_COOKIE);
  return value && BINDING_PATTERN.test(value) ? value : undefined;
}

/** A CSRF token for one purpose (`approve:cr_…`), bound to the browser binding by HMAC. */
export function csrfToken(key: Buffer, binding: string, purpose: string): string {
  return createHmac("sha256", key).update(`${binding}\n${purpose}`).digest("base64url");
}

/** Throws 403 unless `token` is the CSRF token for this binding and purpose. */
export function assertCsrf(
  key: Buffer,
  binding: string | undefined,
  purpose: string,
  token: string | null,
): void {
  if (!binding || !token)
    throw new ForbiddenError("Missing CSRF token or browser cookie; reload the page and try again");
  const expected = Buffer.from(csrfToken(key, binding, purpose));
  const given = Buffer.from(token);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new ForbiddenError("Invalid CSRF token; reload the page and try again");
  }
}
