import { ok, strictEqual } from "node:assert/strict";
import { completeAuthorization } from "@securecontext/testing";
import { api, CookieJar, parseCsrf, parseFormAction } from "./http";

/** Scopes the server's actions need, per provider (real Google / Graph scope strings). */
export const GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly";
/** Graph delegated permission in its short form (as Microsoft documents it; the action requires this). */
export const GRAPH_MAIL_READ = "Mail.Read";

export interface CreatedClient {
  id: string;
  apiKey: string;
}

/** `POST /v1/clients` as admin. */
export async function createClient(
  baseUrl: string,
  adminKey: string,
  body: { name: string; redirectOrigins?: string[]; allowTokenAccess?: boolean },
): Promise<CreatedClient> {
  const response = await api<CreatedClient>(baseUrl, "POST", "/v1/clients", { token: adminKey, body });
  strictEqual(response.status, 201, response.text);
  ok(/^scp_sk_/.test(response.json.apiKey));
  return response.json;
}

export interface StartedConnect {
  requestId: string;
  connectUrl: string;
  jar: CookieJar;
  csrf: string;
  approveAction: string;
  consentHtml: string;
}

/** Creates a connect request and opens its consent page (new cookie jar). */
export async function openConsent(
  baseUrl: string,
  token: string,
  body: { userId: string; providerId: string; scopes?: string[]; redirectUrl?: string; agentId?: string },
): Promise<StartedConnect> {
  const created = await api<{ id: string; url: string; status: string; expiresAt: string }>(
    baseUrl,
    "POST",
    "/v1/connect-requests",
    { token, body },
  );
  strictEqual(created.status, 201, created.text);
  strictEqual(created.json.status, "pending");
  const jar = new CookieJar();
  // The connect URL carries the configured base URL; tests may point it at another instance.
  const page = await api(baseUrl, "GET", new URL(created.json.url).pathname, {
    jar,
    headers: { accept: "text/html" },
  });
  strictEqual(page.status, 200, page.text.slice(0, 500));
  const csrf = parseCsrf(page.text);
  ok(csrf, "consent page has a hidden csrf input");
  const approveAction = parseFormAction(page.text, "scp-approve") ?? `/connect/${created.json.id}/approve`;
  return {
    requestId: created.json.id,
    connectUrl: created.json.url,
    jar,
    csrf: csrf ?? "",
    approveAction,
    consentHtml: page.text,
  };
}

/** POSTs the approve form; returns the raw response (303 to the IdP on success). */
export function approve(baseUrl: string, started: StartedConnect, csrf = started.csrf, jar = started.jar) {
  return api(baseUrl, "POST", new URL(started.approveAction, baseUrl).pathname, {
    jar,
    rawBody: new URLSearchParams({ csrf }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
  });
}

/** Signs in at the IdP; returns the callback URL the IdP redirects to (not fetched). */
export async function authorizeAtIdp(idpLocation: string, user = "alice@example.test"): Promise<URL> {
  return completeAuthorization(idpLocation, { user });
}

/** GETs the callback on `baseUrl` (whatever host the IdP named) with the browser's cookies. */
export function callback(baseUrl: string, callbackUrl: URL, jar: CookieJar) {
  return api(baseUrl, "GET", `${callbackUrl.pathname}${callbackUrl.search}`, {
    jar,
    headers: { accept: "text/html" },
  });
}

export interface ConnectOptions {
  scopes?: string[];
  user?: string;
  /** Instance that serves the consent page and approve (default baseUrl). */
  consentOn?: string;
  /** Instance that serves the callback (default baseUrl). */
  callbackOn?: string;
}

/**
 * The whole browser-less connect flow over HTTP: connect request (client or admin key) → consent
 * page → approve → IdP sign-in and consent → callback. Returns the new connection id.
 */
export async function connect(
  baseUrl: string,
  token: string,
  userId: string,
  providerId: string,
  options: ConnectOptions = {},
): Promise<{ connectionId: string; requestId: string }> {
  const consentOn = options.consentOn ?? baseUrl;
  const started = await openConsent(consentOn, token, {
    userId,
    providerId,
    ...(options.scopes ? { scopes: options.scopes } : {}),
  });
  const approved = await approve(consentOn, started);
  strictEqual(approved.status, 303, approved.text.slice(0, 500));
  const location = approved.headers.get("location");
  ok(location, "approve redirects to the provider");
  const callbackUrl = await authorizeAtIdp(location ?? "", options.user);
  ok(callbackUrl.searchParams.get("code"), callbackUrl.toString());
  const done = await callback(options.callbackOn ?? baseUrl, callbackUrl, started.jar);
  ok([200, 303].includes(done.status), `callback answered ${done.status}: ${done.text.slice(0, 500)}`);
  const status = await api<{ status: string; connectionId?: string; error?: string }>(
    baseUrl,
    "GET",
    `/v1/connect-requests/${started.requestId}`,
    { token },
  );
  strictEqual(status.status, 200, status.text);
  strictEqual(status.json.status, "completed", status.text);
  ok(/^con_/.test(status.json.connectionId ?? ""), status.text);
  return { connectionId: status.json.connectionId ?? "", requestId: started.requestId };
}

/** `POST /v1/sessions`; returns the created session (with its token). */
export async function createSession(
  baseUrl: string,
  token: string,
  body: Record<string, unknown>,
): Promise<{ id: string; token: string; connectionIds: string[]; scopes: string[]; expiresAt: string }> {
  const response = await api<{
    id: string;
    token: string;
    connectionIds: string[];
    scopes: string[];
    expiresAt: string;
  }>(baseUrl, "POST", "/v1/sessions", { token, body });
  strictEqual(response.status, 201, response.text);
  ok(/^scp_st_/.test(response.json.token));
  return response.json;
}
