import { request as httpRequest } from "node:http";

/** A tiny cookie jar: name → value, shared across hosts (tests run everything on 127.0.0.1). */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  /** Stores every `Set-Cookie` of a response (expired ones are removed). */
  store(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const index = pair.indexOf("=");
      if (index <= 0) continue;
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (value === "" || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body when the body is JSON, else undefined. */
  json: T;
}

export interface ApiOptions {
  token?: string;
  body?: unknown;
  /** Raw body (sent as is); overrides `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
  jar?: CookieJar;
}

/** One HTTP call with `fetch`, never following redirects; parses JSON bodies. */
export async function api<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: ApiOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  if (options.jar && options.jar.cookies.size > 0) headers.cookie = options.jar.header();
  const response = await fetch(new URL(path, baseUrl), { method, headers, body, redirect: "manual" });
  options.jar?.store(response.headers);
  const text = await response.text();
  let json: unknown;
  const type = response.headers.get("content-type") ?? "";
  if (type.includes("json") && text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, headers: response.headers, text, json: json as T };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A request whose path goes on the wire byte for byte (fetch and URL would normalise `..`,
 * `%2e%2e` and `//`), for path-escape tests.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  rawPath: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: base.hostname, port: base.port, method, path: rawPath, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** Reads the value of the hidden CSRF input (`name="csrf"`) from an HTML page. */
export function parseCsrf(html: string): string | undefined {
  for (const match of html.matchAll(/<input\b[^>]*>/gi)) {
    const tag = match[0];
    if (/\bname\s*=\s*["']?csrf["'\s>]/i.test(tag)) {
      const value = /\bvalue\s*=\s*"([^"]*)"|\bvalue\s*=\s*'([^']*)'/i.exec(tag);
      if (value) return decodeEntities(value[1] ?? value[2] ?? "");
    }
  }
  return undefined;
}

/** Reads the `action` of the form with the given id. */
export function parseFormAction(html: string, formId: string): string | undefined {
  for (const match of html.matchAll(/<form\b[^>]*>/gi)) {
    const tag = match[0];
    if (new RegExp(`\\bid\\s*=\\s*["']${formId}["']`, "i").test(tag)) {
      const action = /\baction\s*=\s*"([^"]*)"|\baction\s*=\s*'([^']*)'/i.exec(tag);
      if (action) return decodeEntities(action[1] ?? action[2] ?? "");
    }
  }
  return undefined;
}

function decodeEntities(value: string): string {
  return value
    .replaceAll("&amp;", "&")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&#x27;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">");
}

/** Asserts nothing itself: returns true when the response is an RFC 9457 problem. */
export function isProblem(response: { headers: Headers; json: unknown }): boolean {
  const type = response.headers.get("content-type") ?? "";
  const body = response.json as Record<string, unknown> | undefined;
  return (
    type.startsWith("application/problem+json") &&
    typeof body === "object" &&
    body !== null &&
    typeof body.code === "string" &&
    typeof body.status === "number" &&
    typeof body.title === "string"
  );
}
