import type { ListPage } from "@securecontext/protocol";
import { throwIfAborted } from "./abort";

/**
 * Iterates every item of a cursor-paginated list, fetching the next page only when the consumer
 * wants more. Stops on `nextCursor: null` (or a repeated cursor, to never loop forever).
 *
 * @example
 * ```ts
 * for await (const session of paginate((cursor) => scp.sessions.list({ userId: "u_1", cursor }))) {
 *   console.log(session.id);
 * }
 * ```
 */
export async function* paginate<T>(
  fetchPage: (cursor: string | undefined) => Promise<ListPage<T>>,
  signal?: AbortSignal,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  const seen = new Set<string>();
  while (true) {
    throwIfAborted(signal);
    const page = await fetchPage(cursor);
    yield* page.items;
    if (!page.nextCursor || seen.has(page.nextCursor)) return;
    seen.add(page.nextCursor);
    cursor = page.nextCursor;
  }
}
