import { timingSafeEqual } from "node:crypto";
import { ForbiddenError, UnauthorizedError } from "@securecontext/protocol";
import type { AuditLog, Caller, SessionPool } from "@securecontext/session-pool";
import type { Context } from "hono";
import { type ClientRegistry, hashSecret } from "../clients";
import type { AppEnv } from "./context";
import { headerRepeated, requestHeader } from "./request-header";

/** The bearer credential of a request, or undefined. Malformed headers count as absent-but-invalid. */
export function bearerOf(c: Context): string | undefined | null {
  const header = requestHeader(c, "authorization");
  if (header === undefined) return undefined;
  if (headerRepeated(c, "authorization")) return null;
  const match = /^Bearer\s+([^\s]+)\s*$/i.exec(header);
  return match ? (match[1] as string) : null;
}

/** Peer address of the request (the socket, never a client-supplied header). */
export function clientIp(c: Context<AppEnv>): string | undefined {
  return c.env?.incoming?.socket?.remoteAddress ?? undefined;
}

export interface AuthDeps {
  adminKey: string;
  clients: ClientRegistry;
  pool: SessionPool;
  audit: AuditLog;
}

/**
 * Resolves the caller from `Authorization: Bearer …` (`bearer` as {@link bearerOf} parsed it,
 * `bearerHash` its `hashSecret`): the admin key (constant-time), a client key `scp_sk_…` (by
 * hash) or a session token `scp_st_…` (verified by the pool), and stores it as `caller`. A
 * presented but invalid credential throws a 401; no credential leaves the caller unset for
 * `requireCaller`. Returns undefined when it could decide at once (no credential, a client key
 * verified in the last seconds), else a promise: a request that hits the cache waits no turn.
 */
export function authenticate(
  deps: AuthDeps,
): (
  c: Context<AppEnv>,
  bearer: string | undefined | null,
  bearerHash: string | undefined,
) => Promise<void> | undefined {
  // Compared by digest in constant time (equal lengths whatever was presented); hashed once here.
  const adminKeyDigest = Buffer.from(hashSecret(deps.adminKey), "hex");
  return (c, bearer, bearerHash) => {
    c.set("caller", undefined);
    if (bearer === undefined) return undefined;
    if (bearerHash && bearer?.startsWith("scp_sk_")) {
      const client = deps.clients.recentlyVerified(bearerHash);
      if (client) {
        c.set("caller", clientCaller(client));
        return undefined;
      }
    }
    return resolveCaller(deps, c, bearer, bearerHash, adminKeyDigest);
  };
}

function clientCaller(client: { id: string; allowTokenAccess: boolean }): Caller {
  return { kind: "client", clientId: client.id, allowTokenAccess: client.allowTokenAccess };
}

/** The store-backed part of {@link authenticate}; a failure is audited, then thrown as a 401. */
async function resolveCaller(
  deps: AuthDeps,
  c: Context<AppEnv>,
  bearer: string | null,
  bearerHash: string | undefined,
  adminKeyDigest: Buffer,
): Promise<void> {
  let caller: Caller | undefined;
  if (bearer) {
    if (bearer.startsWith("scp_sk_")) {
      const client = await deps.clients.authenticate(bearer, bearerHash);
      if (client) caller = clientCaller(client);
    } else if (bearer.startsWith("scp_st_")) {
      const session = await deps.pool.sessions.verify(bearer);
      if (session) caller = { kind: "session", session };
    } else if (bearerHash && timingSafeEqual(Buffer.from(bearerHash, "hex"), adminKeyDigest)) {
      caller = { kind: "admin" };
    }
  }
  if (!caller) {
    const kind = bearer?.startsWith("scp_sk_")
      ? "api_key"
      : bearer?.startsWith("scp_st_")
        ? "session_token"
        : "bearer";
    // Queued like every other audit event: the 401 does not wait for the commit, and a failure to
    // record it is logged with the request id instead of dropped.
    deps.audit.record(
      {
        type: "auth.failed",
        actor: "anonymous",
        outcome: "denied",
        ip: clientIp(c),
        detail: { credential: kind, method: c.req.method, path: new URL(c.req.url).pathname.slice(0, 200) },
      },
      c.get("requestId"),
    );
    throw new UnauthorizedError(
      kind === "session_token"
        ? "The session token is unknown, expired or revoked"
        : "The bearer credential is not valid",
      { extra: {} },
    );
  }
  c.set("caller", caller);
}

export type CallerKind = Caller["kind"];

/** The caller if it is one of `kinds`; 401 when unauthenticated, 403 when the kind is not allowed. */
export function requireCaller<K extends CallerKind>(
  c: Context<AppEnv>,
  ...kinds: K[]
): Extract<Caller, { kind: K }> {
  const caller = c.get("caller");
  if (!caller)
    throw new UnauthorizedError("This endpoint needs Authorization: Bearer <key or session token>");
  if (!(kinds as CallerKind[]).includes(caller.kind)) {
    throw new ForbiddenError(`This endpoint is not available to ${caller.kind} callers`);
  }
  return caller as Extract<Caller, { kind: K }>;
}
