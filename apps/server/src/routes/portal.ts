import { createHash, randomBytes } from "node:crypto";
import {
  type Connection,
  connectionIdSchema,
  NotFoundError,
  ScpError,
  userIdSchema,
} from "@securecontext/protocol";
import type { Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { requireCaller } from "../http/auth";
import { readForm, readJson, readParam } from "../http/body";
import { assertCsrf, csrfToken } from "../http/browser";
import type { AppEnv } from "../http/context";
import type { AppDeps } from "../http/deps";
import { seeOther, sendPage } from "../http/security-headers";
import { portalPage } from "../pages/portal";
import { pageRoute } from "./pages";
import { aboutConnection, recordAudit } from "./shared";

/** One-time portal links live 10 minutes; the cookie session they open lives 30. */
export const PORTAL_LINK_TTL_MS = 10 * 60 * 1000;
export const PORTAL_SESSION_TTL_MS = 30 * 60 * 1000;
const PORTAL_COOKIE = "scp_portal";
const LINK_PREFIX = "srv:portal:link:";
const SESSION_PREFIX = "srv:portal:session:";
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

interface PortalGrant {
  userId: string;
  /** When a client made the link, only that client's connections are shown. */
  clientId: string | null;
}

const hash = (value: string) => createHash("sha256").update(value).digest("hex");

async function portalSession(
  c: Context<AppEnv>,
  deps: AppDeps,
): Promise<{ grant: PortalGrant; token: string }> {
  const token = getCookie(c, PORTAL_COOKIE);
  const record =
    token && TOKEN_PATTERN.test(token)
      ? await deps.backend.records.get<PortalGrant>(`${SESSION_PREFIX}${hash(token)}`)
      : undefined;
  if (!token || !record) {
    throw new ScpError("This page needs a fresh link from the application (links work once and expire).", {
      code: "unauthorized",
      status: 403,
    });
  }
  return { grant: record.value, token };
}

async function connectionsOf(deps: AppDeps, grant: PortalGrant): Promise<Connection[]> {
  const out: Connection[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.pool.connections.list({
      userId: grant.userId,
      ...(grant.clientId ? { clientId: grant.clientId } : {}),
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < 1000);
  return out;
}

const NOTICES: Record<string, string> = { disconnected: "The account was disconnected." };

/**
 * The "your connections" page (an extension of SPEC §3): `POST /v1/users/:userId/portal-links`
 * returns a one-time URL `BASE/my/<token>` (10 minutes); opening it sets a short HttpOnly cookie
 * session for `/my`, where the person sees and disconnects their connections (CSRF-protected).
 */
export function registerPortalRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const secure = deps.baseUrl.startsWith("https:");

  app.post("/v1/users/:userId/portal-links", async (c) => {
    const caller = requireCaller(c, "admin", "client");
    const userId = readParam(c, "userId", userIdSchema);
    await readJson(c, z.strictObject({}));
    const token = randomBytes(32).toString("base64url");
    const expiresAt = Date.now() + PORTAL_LINK_TTL_MS;
    const grant: PortalGrant = { userId, clientId: caller.kind === "client" ? caller.clientId : null };
    await deps.backend.records.set(`${LINK_PREFIX}${hash(token)}`, grant, { expiresAt });
    recordAudit(c, deps, { type: "portal_link.created", outcome: "success", userId });
    c.header("Cache-Control", "no-store");
    return c.json({ url: `${deps.baseUrl}/my/${token}`, expiresAt: new Date(expiresAt).toISOString() }, 201);
  });

  app.get(
    "/my",
    pageRoute(deps, async (c) => {
      const { grant, token } = await portalSession(c, deps);
      const connections = await connectionsOf(deps, grant);
      const notice = NOTICES[c.req.query("notice") ?? ""];
      return sendPage(
        c,
        portalPage({
          userId: grant.userId,
          connections: connections.map((connection) => ({
            connection,
            providerName: deps.providers.get(connection.providerId)?.displayName ?? connection.providerId,
            csrf: csrfToken(deps.csrfKey, token, `disconnect:${connection.id}`),
          })),
          ...(notice ? { notice } : {}),
          demo: Boolean(deps.demo),
        }),
      );
    }),
  );

  app.get(
    "/my/:token",
    pageRoute(deps, async (c) => {
      const link = c.req.param("token") ?? "";
      const grant = TOKEN_PATTERN.test(link)
        ? await deps.backend.records.takeOnce<PortalGrant>(`${LINK_PREFIX}${hash(link)}`)
        : undefined;
      if (!grant) {
        throw new ScpError("This link was already used or has expired. Ask the application for a new one.", {
          code: "not_found",
          status: 410,
        });
      }
      const token = randomBytes(32).toString("base64url");
      await deps.backend.records.set(`${SESSION_PREFIX}${hash(token)}`, grant, {
        expiresAt: Date.now() + PORTAL_SESSION_TTL_MS,
      });
      setCookie(c, PORTAL_COOKIE, token, {
        httpOnly: true,
        sameSite: "Strict",
        path: "/my",
        secure,
        maxAge: PORTAL_SESSION_TTL_MS / 1000,
      });
      return seeOther(c, "/my");
    }),
  );

  app.post(
    "/my/connections/:id/disconnect",
    pageRoute(deps, async (c) => {
      const { grant, token } = await portalSession(c, deps);
      const form = await readForm(c);
      const id = readParam(c, "id", connectionIdSchema);
      assertCsrf(deps.csrfKey, token, `disconnect:${id}`, form.get("csrf"));
      const connection = await deps.pool.connections.get(id);
      if (
        !connection ||
        connection.userId !== grant.userId ||
        (grant.clientId !== null && connection.clientId !== grant.clientId)
      ) {
        throw new NotFoundError("Connection not found");
      }
      await deps.pool.connections.revoke(id);
      recordAudit(c, deps, {
        type: "connection.revoked",
        actor: "user",
        outcome: "success",
        ...aboutConnection(connection),
        detail: { via: "portal", providerId: connection.providerId },
      });
      return seeOther(c, "/my?notice=disconnected");
    }),
  );
}
