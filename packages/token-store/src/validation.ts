import { ValidationError } from "@securecontext/protocol";
import { JsonText } from "./json-text";
import type { ListOptions, SetManyEntry, SetOptions } from "./types";

/** Longest accepted key, in UTF-16 code units. */
export const MAX_KEY_LENGTH = 1024;
/** Default and maximum page sizes of `list`. */
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

/** Throws `ValidationError` unless `key` is a non-empty string of at most 1024 characters. */
export function assertKey(key: string, field = "key"): void {
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new ValidationError(`${field} must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`, {
      field,
    });
  }
}

/** Throws `ValidationError` unless `ms` is a positive safe integer (a TTL or window in ms). */
export function assertPositiveMs(ms: number, field: string): void {
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new ValidationError(`${field} must be a positive integer number of milliseconds`, { field });
  }
}

/** The validated `expiresAt` (epoch ms) of set options, or undefined for no expiry. */
export function expiryOf(options: SetOptions | undefined): number | undefined {
  const expiresAt = options?.expiresAt;
  if (expiresAt === undefined) return undefined;
  if (!Number.isSafeInteger(expiresAt) || expiresAt < 0) {
    throw new ValidationError("expiresAt must be an integer epoch-milliseconds time", { field: "expiresAt" });
  }
  return expiresAt;
}

/** Throws `ValidationError` unless `version` is null or a positive integer. */
export function assertExpectedVersion(version: number | null): void {
  if (version !== null && (!Number.isSafeInteger(version) || version < 1)) {
    throw new ValidationError("expectedVersion must be null or a positive integer", {
      field: "expectedVersion",
    });
  }
}

/** JSON text of a value; throws `ValidationError` for values JSON cannot represent. */
export function encodeJson(value: unknown): string {
  if (value instanceof JsonText) return value.json;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new ValidationError("value must be JSON-serializable", { field: "value", cause: error });
  }
  if (text === undefined) throw new ValidationError("value must be JSON-serializable", { field: "value" });
  return text;
}

export interface ListPage {
  prefix: string;
  /** Last key of the previous page (exclusive start), if any. */
  after: string | undefined;
  limit: number;
}

/** Validated list arguments with the cursor decoded. */
export function listPage(prefix: string, options: ListOptions | undefined): ListPage {
  if (typeof prefix !== "string") throw new ValidationError("prefix must be a string", { field: "prefix" });
  const limit = options?.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new ValidationError(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}`, { field: "limit" });
  }
  const after = options?.cursor === undefined ? undefined : decodeCursor(options.cursor);
  return { prefix, after, limit };
}

/** Opaque cursor for "continue after this key". */
export function encodeCursor(lastKey: string): string {
  return Buffer.from(`k:${lastKey}`, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): string {
  const text = typeof cursor === "string" ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  if (!text.startsWith("k:") || text.length < 3) {
    throw new ValidationError("cursor is not one this store returned", { field: "cursor" });
  }
  return text.slice(2);
}

/** Compares strings by UTF-8 bytes, the order SQLite and Redis use, so every store pages alike. */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return utf8Rank(ca) - utf8Rank(cb);
  }
  return a.length - b.length;
}

// UTF-16 order equals UTF-8 byte order except that surrogates (astral characters) sort after U+E000–U+FFFF.
function utf8Rank(code: number): number {
  if (code >= 0xe000) return code - 0x800;
  if (code >= 0xd800) return code + 0x2000;
  return code;
}

/** A record write, validated and encoded before anything is written. */
export interface EncodedEntry {
  key: string;
  json: string;
  expiresAt: number | undefined;
}

/** Validates and encodes every entry first, so a bad one writes nothing. */
export function encodeEntries(entries: ReadonlyArray<SetManyEntry>): EncodedEntry[] {
  return entries.map(({ key, value, options }) => {
    assertKey(key);
    return { key, json: encodeJson(value), expiresAt: expiryOf(options) };
  });
}

/**
 * The arguments of `compareAndSetMany` (and of `compareAndSet`, which is it with no `alsoSet`),
 * validated and encoded: a bad one throws before anything is written, and `alsoSet` may not write
 * the compared key (which write would win?).
 */
export function encodeCompareAndSetMany(
  key: string,
  expectedVersion: number | null,
  next: unknown,
  alsoSet: ReadonlyArray<SetManyEntry>,
  options: SetOptions | undefined,
): { json: string; expiresAt: number | undefined; rows: EncodedEntry[] } {
  assertKey(key);
  assertExpectedVersion(expectedVersion);
  if (alsoSet.some((entry) => entry.key === key)) {
    throw new ValidationError("alsoSet must not contain the compared key", { field: "alsoSet" });
  }
  const expiresAt = expiryOf(options);
  return { json: encodeJson(next), expiresAt, rows: encodeEntries(alsoSet) };
}
