import type { HttpBindings } from "@hono/node-server";
import type { Caller } from "@securecontext/session-pool";

/** Hono environment of the SCP app. `Bindings` are present when served by @hono/node-server. */
export interface AppEnv {
  Bindings: Partial<HttpBindings>;
  Variables: {
    requestId: string;
    /** Set by authentication (the front door) when a valid bearer credential was presented. */
    caller: Caller | undefined;
  };
}

/**
 * The Node request and response under @hono/node-server; both absent when the app runs without
 * Node bindings (`app.request` in tests). Takes any Hono context, whatever its declared env.
 */
export function nodeBindings(c: { env: unknown }): Partial<HttpBindings> {
  return (c.env as Partial<HttpBindings> | undefined) ?? {};
}

/** Audit actor string for a caller: `admin`, `client:cli_…`, `session:ses_…`. */
export function actorOf(caller: Caller | undefined): string {
  if (!caller) return "anonymous";
  if (caller.kind === "admin") return "admin";
  if (caller.kind === "client") return `client:${caller.clientId}`;
  return `session:${caller.session.id}`;
}

/** The client a caller acts for (`null` for admin). */
export function clientIdOf(caller: Caller): string | null {
  if (caller.kind === "admin") return null;
  if (caller.kind === "client") return caller.clientId;
  return caller.session.clientId;
}
