import {
  PayloadTooLargeError,
  parseOrThrow,
  UnsupportedMediaTypeError,
  ValidationError,
} from "@securecontext/protocol";
import type { Context } from "hono";
import type { z } from "zod";

/** Largest request body the API accepts (SPEC §3). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the raw body, failing with 413 as soon as it passes `limit` bytes (declared or streamed). */
export async function readBodyBytes(c: Context, limit = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = c.req.header("content-length");
  if (declared !== undefined && Number(declared) > limit) {
    throw new PayloadTooLargeError(`Request body exceeds ${limit} bytes`);
  }
  const body = c.req.raw.body;
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLargeError(`Request body exceeds ${limit} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function mediaType(c: Context): string | undefined {
  return c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase();
}

function isJsonMediaType(type: string): boolean {
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

/**
 * Reads a JSON body and validates it with `schema` (strict schemas reject unknown fields). An empty
 * body is treated as `{}` so optional-only bodies may be omitted; a non-empty body must be JSON (415).
 */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const bytes = await readBodyBytes(c);
  let value: unknown = {};
  if (bytes.byteLength > 0) {
    const type = mediaType(c);
    if (!type || !isJsonMediaType(type)) {
      throw new UnsupportedMediaTypeError("Request bodies must be application/json");
    }
    try {
      value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    } catch {
      throw new ValidationError("Request body is not valid JSON", { field: "body" });
    }
  }
  return parseOrThrow(schema, value, "body");
}

/** Reads an `application/x-www-form-urlencoded` browser form (consent and portal pages). */
export async function readForm(c: Context): Promise<URLSearchParams> {
  const type = mediaType(c);
  if (type !== "application/x-www-form-urlencoded") {
    throw new UnsupportedMediaTypeError("Forms must be application/x-www-form-urlencoded");
  }
  const bytes = await readBodyBytes(c, 64 * 1024);
  return new URLSearchParams(new TextDecoder().decode(bytes));
}

/** Validates the query string with `schema`; fields are named `query.<name>`. Repeated keys are rejected. */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const url = new URL(c.req.url);
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (key in query)
      throw new ValidationError(`query.${key}: must be given once`, { field: `query.${key}` });
    query[key] = value;
  }
  return parseOrThrow(schema, query, "query");
}

/** Validates one path parameter; a malformed id is a 400 naming `path.<name>`. */
export function readParam<S extends z.ZodType>(c: Context, name: string, schema: S): z.output<S> {
  const value = c.req.param(name);
  return parseOrThrow(schema, value, `path.${name}`);
}
