import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import {
  PayloadTooLargeError,
  parseOrThrow,
  UnsupportedMediaTypeError,
  ValidationError,
} from "@securecontext/protocol";
import type { Context } from "hono";
import type { z } from "zod";
import { nodeBindings } from "./context";
import { requestHeader } from "./request-header";

/** Largest request body the API accepts (SPEC §3). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The Node request under @hono/node-server, when nothing has started reading its body yet. */
function unreadIncoming(c: Context): IncomingMessage | undefined {
  const { incoming } = nodeBindings(c);
  if (!(incoming instanceof Readable)) return undefined;
  // `readableFlowing` stays null until a consumer attaches (`Request.body` pipes it through
  // `Readable.toWeb`); then the web stream owns it and we must read through it too.
  return incoming.readableFlowing === null && !incoming.readableEnded
    ? (incoming as IncomingMessage)
    : undefined;
}

/**
 * Reads the Node request stream directly: the WHATWG `Request.body` path (`Readable.toWeb`, a web
 * stream per request) costs several times more per request than the rest of a small API call.
 */
function readIncoming(incoming: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      incoming.off("data", onData);
      incoming.off("end", onEnd);
      incoming.off("error", onError);
      incoming.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limit) {
        cleanup();
        // As cancelling the web stream did: stop reading and drop the rest.
        incoming.destroy();
        reject(new PayloadTooLargeError(`Request body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error("request closed before its body was read"));
    };
    incoming.on("data", onData);
    incoming.on("end", onEnd);
    incoming.on("error", onError);
    incoming.on("close", onClose);
  });
}

/**
 * The whole body in one synchronous `read()` when the parser has already received all of it (a
 * small request arrives in the packet of its headers): no listeners, closures or events per request.
 * Undefined when more is to come or it is over `limit` (the streaming path reads or refuses it).
 */
function receivedBody(incoming: IncomingMessage, limit: number): Uint8Array | undefined {
  if (!incoming.complete || incoming.readableLength > limit) return undefined;
  // Without a size, read() of a paused stream returns everything buffered as one Buffer, or null when
  // nothing is; either way the stream then ends ('end' is emitted) as if a listener had consumed it.
  const data: Buffer | null = incoming.read();
  return data ?? new Uint8Array(0);
}

/**
 * Reads the raw body, failing with 413 as soon as it passes `limit` bytes (declared or streamed).
 * The body itself, not a promise, when it is already here (see {@link receivedBody}): callers
 * `await` either, and a small API call waits no extra turn.
 */
export function readBodyBytes(c: Context, limit = MAX_BODY_BYTES): Uint8Array | Promise<Uint8Array> {
  const declared = requestHeader(c, "content-length");
  if (declared !== undefined && Number(declared) > limit) {
    throw new PayloadTooLargeError(`Request body exceeds ${limit} bytes`);
  }
  const method = c.req.method;
  if (method === "GET" || method === "HEAD") return new Uint8Array(0);
  const incoming = unreadIncoming(c);
  if (incoming) return receivedBody(incoming, limit) ?? readIncoming(incoming, limit);
  return readWebBody(c, limit);
}

/** The body through the WHATWG `Request` (no Node bindings, or a web stream already reading it). */
async function readWebBody(c: Context, limit: number): Promise<Uint8Array> {
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

/** Stateless between calls (each `decode` is a whole input), so one serves every request. */
const utf8 = new TextDecoder("utf-8", { fatal: true });

function mediaType(c: Context): string | undefined {
  return requestHeader(c, "content-type")?.split(";")[0]?.trim().toLowerCase();
}

function isJsonMediaType(type: string): boolean {
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

/**
 * Reads a JSON body and validates it with `schema` (strict schemas reject unknown fields). An empty
 * body is treated as `{}` so optional-only bodies may be omitted; a non-empty body must be JSON (415).
 * The value itself when the body was already received (see {@link readBodyBytes}); `await` it.
 */
export function readJson<S extends z.ZodType>(c: Context, schema: S): z.output<S> | Promise<z.output<S>> {
  const bytes = readBodyBytes(c);
  return bytes instanceof Promise
    ? bytes.then((read) => parseJsonBody(c, schema, read))
    : parseJsonBody(c, schema, bytes);
}

function parseJsonBody<S extends z.ZodType>(c: Context, schema: S, bytes: Uint8Array): z.output<S> {
  let value: unknown = {};
  if (bytes.byteLength > 0) {
    const type = mediaType(c);
    if (!type || !isJsonMediaType(type)) {
      throw new UnsupportedMediaTypeError("Request bodies must be application/json");
    }
    try {
      value = JSON.parse(utf8.decode(bytes));
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
