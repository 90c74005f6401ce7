import { TransportError, UnexpectedResponseError, UpstreamError } from "@securecontext/protocol";
import type { ActionContext } from "../types";

/** Retry, timeout and scope knobs of {@link callProviderApi}. */
export interface ApiCallOptions {
  method?: string;
  /** Query parameters; arrays repeat the key; `undefined` entries are dropped. */
  query?: Record<string, string | number | boolean | string[] | undefined>;
  headers?: Record<string, string>;
  /** Per-attempt timeout in milliseconds (combined with `context.signal`). Default 30 000. */
  timeoutMs?: number;
  /** How many times a 429 (or 503 with `Retry-After`) is retried. Default 3. */
  maxRetries?: number;
  /** Longest single wait for `Retry-After`, in milliseconds; a longer ask fails at once. Default 30 000. */
  maxRetryWaitMs?: number;
  /** Scopes the calling action needs, named in the error of a 403 insufficient-scope answer. */
  requiredScopes?: string[];
}

/** Joins a base URL (which may carry a path prefix) and an absolute API path. */
export function apiUrl(baseUrl: string, path: string, query?: ApiCallOptions["query"]): URL {
  const url = new URL(baseUrl.replace(/\/+$/, "") + (path.startsWith("/") ? path : `/${path}`));
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, item);
    else url.searchParams.set(key, String(value));
  }
  return url;
}

/** `Retry-After` as milliseconds (delta-seconds or HTTP-date), or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => "");
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text.length > 2048 ? `${text.slice(0, 2048)}…` : text;
  }
}

/** Scopes a 403 names as missing: `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"`. */
function insufficientScope(response: Response, body: unknown): { insufficient: boolean; scopes: string[] } {
  const challenge = response.headers.get("www-authenticate") ?? "";
  const fromHeader = /error="?insufficient_scope"?/i.test(challenge);
  const scopeList = /scope="([^"]*)"/i.exec(challenge)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
  const text = JSON.stringify(body ?? "");
  const fromBody =
    /ACCESS_TOKEN_SCOPE_INSUFFICIENT|insufficient(?:_| )(?:authentication )?scopes?|insufficientPermissions|ErrorAccessDenied|Authorization_RequestDenied/i.test(
      text,
    );
  return { insufficient: fromHeader || fromBody, scopes: scopeList };
}

/** Google answers quota exhaustion with 403 + reason `rateLimitExceeded` instead of 429. */
function isGoogleRateLimit(body: unknown): boolean {
  return /"reason":"(?:rateLimitExceeded|userRateLimitExceeded)"/.test(JSON.stringify(body ?? ""));
}

/**
 * Calls a provider API through the context's authorized fetch and returns the parsed JSON body.
 * Honours `Retry-After` on 429 (and 503) with bounded retries and a cap on each wait, applies a
 * per-attempt timeout combined with `context.signal`, and turns every non-2xx answer into an
 * {@link UpstreamError} carrying the status and the provider's error body (never the token). A 403 for
 * a missing scope says which scope is missing.
 */
export async function callProviderApi<T = unknown>(
  context: ActionContext,
  path: string | URL,
  options: ApiCallOptions = {},
): Promise<T> {
  const url = typeof path === "string" ? apiUrl(context.apiBaseUrl, path, options.query) : path;
  const maxRetries = options.maxRetries ?? 3;
  const maxWait = options.maxRetryWaitMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  for (let attempt = 0; ; attempt++) {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = context.signal ? AbortSignal.any([context.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await context.fetch(url, {
        method: options.method ?? "GET",
        headers: { accept: "application/json", ...options.headers },
        redirect: "manual",
        signal,
      });
    } catch (error) {
      if (context.signal?.aborted) throw context.signal.reason;
      const timedOut = timeout.aborted;
      throw new TransportError(
        timedOut ? `${url.host} did not answer within ${timeoutMs} ms` : `could not reach ${url.host}`,
        { cause: error instanceof Error ? new Error(`${error.name}: ${error.message}`) : undefined },
      );
    }
    if (response.ok) {
      if (response.status === 204) return undefined as T;
      const body = await readBody(response);
      if (typeof body === "string") {
        throw new UnexpectedResponseError(
          `${url.host} answered HTTP ${response.status} with a non-JSON body`,
        );
      }
      return body as T;
    }
    const body = await readBody(response);
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
    const retryable =
      response.status === 429 ||
      (response.status === 503 && retryAfterMs !== undefined) ||
      (response.status === 403 && isGoogleRateLimit(body));
    if (retryable && attempt < maxRetries) {
      const wait = retryAfterMs ?? Math.min(maxWait, 250 * 2 ** attempt);
      if (wait <= maxWait) {
        await sleep(wait, context.signal);
        continue;
      }
    }
    const retryAfter = retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000);
    const common = {
      upstreamStatus: response.status,
      ...(body !== undefined ? { body } : {}),
      ...(retryAfter !== undefined ? { retryAfter } : {}),
    };
    if (response.status === 403) {
      const scope = insufficientScope(response, body);
      if (scope.insufficient) {
        const missing = scope.scopes.length ? scope.scopes : (options.requiredScopes ?? []);
        throw new UpstreamError(
          `${url.host} refused the request: the connection lacks the scope ${missing.join(" ") || "(unknown)"}; reconnect the account granting it`,
          { ...common, extra: { missingScopes: missing } },
        );
      }
    }
    throw new UpstreamError(
      `${url.host} answered HTTP ${response.status}${retryable ? " (rate limited; retries exhausted)" : ""}`,
      common,
    );
  }
}
