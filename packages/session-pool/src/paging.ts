import type { ListPage } from "@securecontext/protocol";
import { ValidationError } from "@securecontext/protocol";
import type { TokenStore } from "@securecontext/token-store";
import { sha256Hex } from "./keys";

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;
/** Most index entries one page may scan while filtering, so a page costs a bounded amount of work. */
const MAX_SCANNED_PER_PAGE = 2_000;

/** The page size asked for (default {@link DEFAULT_PAGE_LIMIT}), or a ValidationError naming `limit`. */
function pageLimit(requested: number | undefined): number {
  const limit = requested ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new ValidationError(`limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`, { field: "limit" });
  }
  return limit;
}

interface IndexEntry {
  id: string;
}

/**
 * One page of items from an index prefix. Entries are resolved with `load` (undefined: skip, for
 * example a filtered-out or expired record). The store is asked for at most as many entries as are
 * still needed, so its cursor always points just past the last entry examined and no item is ever
 * skipped or repeated. A page may hold fewer than `limit` items while `nextCursor` is non-null when
 * the scan bound was reached.
 */
export async function pageFromIndex<T>(params: {
  records: TokenStore;
  prefix: string;
  limit?: number;
  cursor?: string;
  load: (id: string) => Promise<T | undefined>;
}): Promise<ListPage<T>> {
  const limit = pageLimit(params.limit);
  const tag = sha256Hex(params.prefix).slice(0, 16);
  let storeCursor = params.cursor === undefined ? undefined : decodeCursor(params.cursor, tag);
  const items: T[] = [];
  let scanned = 0;
  for (;;) {
    const want = limit - items.length;
    const page = await params.records.list<IndexEntry>(params.prefix, {
      limit: want,
      ...(storeCursor !== undefined ? { cursor: storeCursor } : {}),
    });
    scanned += page.items.length;
    const loaded = await Promise.all(page.items.map((entry) => params.load(entry.record.value.id)));
    for (const item of loaded) if (item !== undefined) items.push(item);
    if (page.nextCursor === null) return { items, nextCursor: null };
    storeCursor = page.nextCursor;
    if (items.length >= limit || scanned >= MAX_SCANNED_PER_PAGE) {
      return { items, nextCursor: encodeCursor(storeCursor, tag) };
    }
  }
}

/** One page over an explicit id list (a session's connections): the cursor is an offset. */
export async function pageFromIds<T>(params: {
  ids: readonly string[];
  limit?: number;
  cursor?: string;
  load: (id: string) => Promise<T | undefined>;
}): Promise<ListPage<T>> {
  const limit = pageLimit(params.limit);
  const ids = [...new Set(params.ids)].sort();
  const tag = sha256Hex(ids.join(",")).slice(0, 16);
  const start = params.cursor === undefined ? 0 : Number(decodeCursor(params.cursor, tag));
  if (!Number.isInteger(start) || start < 0)
    throw new ValidationError("cursor is invalid", { field: "cursor" });
  const slice = ids.slice(start, start + limit);
  const loaded = await Promise.all(slice.map((id) => params.load(id)));
  const end = start + slice.length;
  return {
    items: loaded.filter((item): item is Awaited<T> => item !== undefined) as T[],
    nextCursor: end < ids.length ? encodeCursor(String(end), tag) : null,
  };
}

function encodeCursor(inner: string, tag: string): string {
  return Buffer.from(JSON.stringify({ t: tag, c: inner }), "utf8").toString("base64url");
}

function decodeCursor(cursor: string, tag: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      typeof parsed === "object" &&
      parsed !== null &&
      (parsed as { t?: unknown }).t === tag &&
      typeof (parsed as { c?: unknown }).c === "string"
    ) {
      return (parsed as { c: string }).c;
    }
  } catch {
    // fall through
  }
  throw new ValidationError("cursor does not belong to this list (filters changed or cursor corrupted)", {
    field: "cursor",
  });
}
