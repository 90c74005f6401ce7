import type { Session } from "@securecontext/protocol";
import { iso } from "./timing";

/** A session as stored: wire fields with epoch-ms times, plus the SHA-256 of its token (never the token). */
export interface SessionRecord {
  id: string;
  userId: string;
  agentId: string | null;
  clientId: string | null;
  connectionIds: string[];
  scopes: string[];
  allowTokenAccess: boolean;
  createdAt: number;
  expiresAt: number;
  revokedAt?: number;
  tokenHash: string;
}

/** Points from a token's hash to its session. */
export interface TokenHashRecord {
  sessionId: string;
}

/** Message on the session channel: every instance drops the session from its cache. */
export interface SessionChangeMessage {
  type: "revoked" | "changed";
  sessionId: string;
  tokenHash: string;
}

export function toSession(record: SessionRecord): Session {
  return {
    id: record.id,
    userId: record.userId,
    agentId: record.agentId,
    clientId: record.clientId,
    connectionIds: [...record.connectionIds],
    scopes: [...record.scopes],
    allowTokenAccess: record.allowTokenAccess,
    createdAt: iso(record.createdAt),
    expiresAt: iso(record.expiresAt),
    ...(record.revokedAt !== undefined ? { revokedAt: iso(record.revokedAt) } : {}),
  };
}

/** A read-only copy for the verify cache, so no caller can alter what others get. */
export function frozenSession(record: SessionRecord): Session {
  const session = toSession(record);
  Object.freeze(session.connectionIds);
  Object.freeze(session.scopes);
  return Object.freeze(session);
}
