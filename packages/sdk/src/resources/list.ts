import { type ListPage, listSchema } from "@securecontext/protocol";
import type { z } from "zod";
import type { RequestOptions } from "../options";
import { paginate } from "../paginate";
import type { Query, Transport } from "../transport";

/** `limit` (1–200) and `cursor` of every list call. */
export interface PageQuery {
  limit?: number;
  cursor?: string;
}

/** `list` (one page) and `listAll` (every item, lazily) over one list endpoint. */
export interface ListMethods<T, F extends PageQuery> {
  /** One page: `{ items, nextCursor }`. */
  list(filter?: F, options?: RequestOptions): Promise<ListPage<T>>;
  /** Every item across pages; fetches the next page only when iterated that far. */
  listAll(filter?: Omit<F, "cursor">, options?: RequestOptions): AsyncGenerator<T, void, undefined>;
}

export function listMethods<S extends z.ZodType, F extends PageQuery>(
  transport: Transport,
  path: string,
  item: S,
): ListMethods<z.output<S>, F> {
  const schema = listSchema(item);
  const list = (filter?: F, options?: RequestOptions) =>
    transport.json({ method: "GET", path, query: filter as Query | undefined, schema, options }) as Promise<
      ListPage<z.output<S>>
    >;
  return {
    list,
    listAll: (filter, options) =>
      paginate((cursor) => list({ ...(filter ?? {}), cursor } as F, options), options?.signal),
  };
}
