import {
  type CreatedSession,
  type CreateSessionBody,
  createdSessionSchema,
  type ExtendSessionBody,
  type Session,
  sessionSchema,
} from "@securecontext/protocol";
import type { RequestOptions } from "../options";
import type { Transport } from "../transport";
import { type ListMethods, listMethods, type PageQuery } from "./list";
import { segment } from "./path";

/** `GET /v1/sessions` filters. */
export interface SessionListFilter extends PageQuery {
  userId?: string;
  agentId?: string;
}

export interface SessionsApi extends ListMethods<Session, SessionListFilter> {
  /** Opens a session; the response holds its token (`scp_st_…`), shown this once. */
  create(body: CreateSessionBody, options?: RequestOptions): Promise<CreatedSession>;
  get(sessionId: string, options?: RequestOptions): Promise<Session>;
  /** Adds `ttlSeconds` from now; total lifetime is capped at 24 h from creation. */
  extend(sessionId: string, body: ExtendSessionBody, options?: RequestOptions): Promise<Session>;
  /** Revokes the session; its token fails at once everywhere. A session may revoke itself. */
  revoke(sessionId: string, options?: RequestOptions): Promise<void>;
  /** Session callers: the caller's own session (`GET /v1/session`). */
  current(options?: RequestOptions): Promise<Session>;
}

export function sessionsApi(transport: Transport): SessionsApi {
  return {
    ...listMethods<typeof sessionSchema, SessionListFilter>(transport, "/v1/sessions", sessionSchema),
    create: (body, options) =>
      transport.json({ method: "POST", path: "/v1/sessions", body, schema: createdSessionSchema, options }),
    get: (sessionId, options) =>
      transport.json({
        method: "GET",
        path: `/v1/sessions/${segment(sessionId)}`,
        schema: sessionSchema,
        options,
      }),
    extend: (sessionId, body, options) =>
      transport.json({
        method: "POST",
        path: `/v1/sessions/${segment(sessionId)}/extend`,
        body,
        schema: sessionSchema,
        options,
      }),
    revoke: (sessionId, options) =>
      transport.empty({ method: "DELETE", path: `/v1/sessions/${segment(sessionId)}`, options }),
    current: (options) =>
      transport.json({ method: "GET", path: "/v1/session", schema: sessionSchema, options }),
  };
}
