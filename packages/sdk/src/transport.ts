import { isScpError, TransportError, UnexpectedResponseError } from "@securecontext/protocol";
import type { z } from "zod";
import { abortReason, anySignal, type Clock, systemClock } from "./abort";
import { errorFromResponse } from "./errors";
import { type ClientOptions, DEFAULT_TIMEOUT_MS, type RequestOptions, SDK_VERSION } from "./options";
import {
  type AttemptOutcome,
  defaultRetryOptions,
  isIdempotent,
  isRetryableStatus,
  parseRetryAfter,
  type RetryOptions,
  runWithRetry,
} from "./retry";

/** Query values; arrays repeat the key, `undefined` is skipped. */
export type QueryValue = string | number | boolean | undefined | null | ReadonlyArray<string | number>;
export type Query = Readonly<Record<string, QueryValue>>;

export interface TransportRequest<S extends z.ZodType | undefined> {
  method: string;
  /** Path from the server root, e.g. `/v1/sessions`. */
  path: string;
  query?: Query;
  /** JSON body; `undefined` sends none. */
  body?: unknown;
  /** Validates a JSON response; `undefined` expects no content. */
  schema?: S;
  /** Extra request headers (e.g. `Accept`). */
  headers?: Record<string, string>;
  options?: RequestOptions;
}

export interface RawRequest {
  method: string;
  /** Absolute URL or path from the server root. */
  path: string;
  query?: Query;
  headers?: HeadersInit;
  body?: BodyInit | null;
  options?: RequestOptions;
  /** `manual` returns 3xx responses as they are (the proxy); API calls use `error`. */
  redirect?: RequestRedirect;
  /** Map non-2xx responses to `ScpError`s (default true); the proxy returns them raw. */
  throwOnError?: boolean;
}

/** The HTTP core every resource group shares: auth, timeouts, retries, error mapping, validation. */
export interface Transport {
  readonly baseUrl: string;
  readonly clock: Clock;
  json<S extends z.ZodType>(request: TransportRequest<S> & { schema: S }): Promise<z.output<S>>;
  empty(request: TransportRequest<undefined>): Promise<void>;
  /** A response whose body the caller consumes (streams, proxy); errors mapped unless told not to. */
  raw(request: RawRequest): Promise<Response>;
}

function normalizeBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new TypeError(`baseUrl must be an absolute URL, got ${JSON.stringify(value)}`, { cause });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError("baseUrl must be http(s)");
  return url.href.replace(/\/+$/, "");
}

function buildUrl(baseUrl: string, path: string, query: Query | undefined): string {
  const url = /^https?:\/\//i.test(path)
    ? new URL(path)
    : new URL(baseUrl + (path.startsWith("/") ? path : `/${path}`));
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, String(item));
    else url.searchParams.set(key, String(value));
  }
  return url.href;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}

/** Builds the shared transport from the client options (copied, never mutated). */
export function createTransport(options: ClientOptions): Transport {
  if (options.apiKey && options.sessionToken) {
    throw new TypeError("Give apiKey or sessionToken, not both");
  }
  const baseUrl = normalizeBaseUrl(options.baseUrl);
  const fetchImpl = options.fetch ?? globalThis.fetch?.bind(globalThis);
  if (typeof fetchImpl !== "function") throw new TypeError("No fetch available: pass options.fetch");
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const clientRetry: RetryOptions | false =
    options.retry === false ? false : { ...defaultRetryOptions, ...(options.retry ?? {}) };
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const credential = options.apiKey ?? options.sessionToken;
  const baseHeaders: Record<string, string> = { Accept: "application/json", ...(options.headers ?? {}) };
  for (const key of Object.keys(baseHeaders)) {
    if (key.toLowerCase() === "authorization") delete baseHeaders[key];
  }
  const isBrowser = typeof (globalThis as { document?: unknown }).document !== "undefined";
  const userAgent = options.userAgent ?? (isBrowser ? undefined : `securecontext-sdk/${SDK_VERSION}`);
  if (userAgent) baseHeaders["User-Agent"] = userAgent;

  function retryPolicyFor(
    method: string,
    requestOptions: RequestOptions | undefined,
    body: unknown,
  ): RetryOptions | false {
    const wanted = requestOptions?.retry;
    if (wanted === false) return false;
    if (typeof ReadableStream !== "undefined" && body instanceof ReadableStream) return false;
    const base = clientRetry === false ? { ...defaultRetryOptions } : clientRetry;
    if (typeof wanted === "object") return { ...base, ...wanted };
    if (clientRetry === false && wanted !== true) return false;
    if (wanted === true || isIdempotent(method)) return base;
    return false;
  }

  /**
   * One attempt: fetch with a timeout linked to the caller's signal. `consume` reads the body
   * inside the timeout; it returns the outcome for the retry loop.
   */
  async function attemptFetch<T>(
    method: string,
    url: string,
    path: string,
    init: RequestInit,
    requestOptions: RequestOptions | undefined,
    retryable: boolean,
    consume: (response: Response, signal: AbortSignal | undefined) => Promise<AttemptOutcome<T>>,
  ): Promise<AttemptOutcome<T>> {
    const timeoutMs = requestOptions?.timeoutMs ?? defaultTimeout;
    const timeout = new AbortController();
    const timer =
      timeoutMs > 0 && Number.isFinite(timeoutMs)
        ? setTimeout(
            () => timeout.abort(new TransportError(`${method} ${path} timed out after ${timeoutMs} ms`)),
            timeoutMs,
          )
        : undefined;
    const userSignal = requestOptions?.signal;
    const signal = anySignal([userSignal, timeout.signal]);
    try {
      let response: Response;
      try {
        response = await fetchImpl(url, { ...init, signal });
      } catch (cause) {
        if (userSignal?.aborted) return { kind: "fatal", error: abortReason(userSignal) };
        const error = timeout.signal.aborted
          ? (timeout.signal.reason as TransportError)
          : new TransportError(
              `${method} ${path} failed: ${cause instanceof Error ? cause.message : "network error"}`,
              { cause },
            );
        return retryable ? { kind: "retryable", error } : { kind: "fatal", error };
      }
      try {
        return await consume(response, signal);
      } catch (cause) {
        if (userSignal?.aborted) return { kind: "fatal", error: abortReason(userSignal) };
        if (timeout.signal.aborted) {
          const error = timeout.signal.reason as TransportError;
          return retryable ? { kind: "retryable", error } : { kind: "fatal", error };
        }
        if (isScpError(cause)) return { kind: "fatal", error: cause };
        return {
          kind: "fatal",
          error: new TransportError(`${method} ${path}: reading the response failed`, { cause }),
        };
      }
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  async function failure<T>(
    response: Response,
    method: string,
    path: string,
    retryable: boolean,
  ): Promise<AttemptOutcome<T>> {
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), clock.now());
    const error = await errorFromResponse(response, { method, path, retryAfterMs });
    if (retryable && isRetryableStatus(response.status)) return { kind: "retryable", error, retryAfterMs };
    return { kind: "fatal", error };
  }

  async function send<T>(
    method: string,
    path: string,
    url: string,
    init: RequestInit,
    requestOptions: RequestOptions | undefined,
    bodyForPolicy: unknown,
    consume: (response: Response, signal: AbortSignal | undefined) => Promise<AttemptOutcome<T>>,
  ): Promise<T> {
    const policy = retryPolicyFor(method, requestOptions, bodyForPolicy);
    return runWithRetry(
      () => attemptFetch(method, url, path, init, requestOptions, policy !== false, consume),
      { retry: policy, clock, random, signal: requestOptions?.signal },
    );
  }

  function jsonInit(request: TransportRequest<z.ZodType | undefined>): RequestInit {
    const headers: Record<string, string> = {
      ...baseHeaders,
      ...(request.headers ?? {}),
      ...(request.options?.headers ?? {}),
    };
    if (credential) headers.Authorization = `Bearer ${credential}`;
    const init: RequestInit = { method: request.method, headers, redirect: "error" };
    if (request.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(request.body);
    }
    return init;
  }

  /** A JSON API call: error statuses become typed errors (retried when allowed); `read` takes a 2xx. */
  function sendJson<T>(
    request: TransportRequest<z.ZodType | undefined>,
    read: (response: Response) => Promise<T>,
  ): Promise<T> {
    const url = buildUrl(baseUrl, request.path, request.query);
    return send(
      request.method,
      request.path,
      url,
      jsonInit(request),
      request.options,
      request.body,
      async (response) => {
        if (!response.ok) return failure<T>(response, request.method, request.path, true);
        return { kind: "done", value: await read(response) };
      },
    );
  }

  return {
    baseUrl,
    clock,
    async json(request) {
      return sendJson(request, async (response) => {
        let body: unknown;
        try {
          body = await response.json();
        } catch (cause) {
          if (cause instanceof SyntaxError) {
            throw new UnexpectedResponseError(`${request.method} ${request.path}: response is not JSON`, {
              cause,
            });
          }
          throw cause;
        }
        const parsed = request.schema.safeParse(body);
        if (!parsed.success) {
          throw new UnexpectedResponseError(
            `${request.method} ${request.path}: response does not match the protocol schema (${describeIssues(parsed.error)})`,
            { cause: parsed.error },
          );
        }
        return parsed.data;
      });
    },
    async empty(request) {
      return sendJson(request, async (response) => {
        await response.body?.cancel().catch(() => {});
      });
    },
    async raw(request) {
      const url = buildUrl(baseUrl, request.path, request.query);
      const headers = new Headers(request.headers);
      for (const [key, value] of Object.entries(baseHeaders)) {
        if (key !== "Accept" || !headers.has("accept")) headers.set(key, value);
      }
      for (const [key, value] of Object.entries(request.options?.headers ?? {})) headers.set(key, value);
      if (credential) headers.set("Authorization", `Bearer ${credential}`);
      const init: RequestInit & { duplex?: "half" } = {
        method: request.method,
        headers,
        redirect: request.redirect ?? "error",
      };
      if (request.body !== undefined && request.body !== null) {
        init.body = request.body;
        if (typeof ReadableStream !== "undefined" && request.body instanceof ReadableStream)
          init.duplex = "half";
      }
      const throwOnError = request.throwOnError ?? true;
      const path = new URL(url).pathname;
      // A stream's body outlives the attempt: only the headers are under the timeout.
      return send(request.method, path, url, init, request.options, request.body, async (response) => {
        if (!response.ok && throwOnError) return failure(response, request.method, path, true);
        if (!response.ok && isRetryableStatus(response.status)) {
          const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), clock.now());
          const error = new TransportError(`${request.method} ${path} answered HTTP ${response.status}`);
          return {
            kind: "retryable",
            error,
            retryAfterMs,
            fallback: response,
            discard: () => void response.body?.cancel().catch(() => {}),
          };
        }
        return { kind: "done", value: response };
      });
    },
  };
}
