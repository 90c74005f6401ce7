import { parseOrThrow } from "@securecontext/protocol";
import type { z } from "zod";
import type { ActionContext, ActionDefinition } from "../types";

/** What {@link defineAction} needs; `run` receives input already parsed (defaults applied). */
export interface ActionSpec<I extends z.ZodType, O extends z.ZodType, Item> {
  id: string;
  providerId: string;
  title: string;
  description: string;
  requiredScopes: string[];
  input: I;
  output: O;
  run(context: ActionContext, input: z.output<I>): Promise<z.output<O>>;
  stream?(context: ActionContext, input: z.output<I>): AsyncIterable<Item>;
}

/**
 * Declares an action. The returned `run` parses its input with the action's schema (a bad input is a
 * `ValidationError` naming the field) and checks the normalized output against the output schema.
 */
export function defineAction<I extends z.ZodType, O extends z.ZodType, Item = unknown>(
  spec: ActionSpec<I, O, Item>,
): ActionDefinition<z.output<I>, z.output<O>, Item> {
  const definition: ActionDefinition<z.output<I>, z.output<O>, Item> = {
    id: spec.id,
    providerId: spec.providerId,
    title: spec.title,
    description: spec.description,
    requiredScopes: [...spec.requiredScopes],
    input: spec.input as unknown as z.ZodType<z.output<I>>,
    output: spec.output as unknown as z.ZodType<z.output<O>>,
    async run(context, input) {
      const parsed = parseOrThrow(spec.input, input, "input");
      return parseOrThrow(spec.output, await spec.run(context, parsed), "output");
    },
  };
  const stream = spec.stream;
  if (stream) {
    definition.stream = (context, input) => stream(context, parseOrThrow(spec.input, input, "input"));
  }
  return definition;
}

/** A paged action: one page per `run`, `nextPageToken` to continue, `stream` over every page. */
export interface PagedActionSpec<I extends z.ZodType, O extends z.ZodType, K extends string>
  extends Omit<ActionSpec<I, O, never>, "stream"> {
  /** The output key holding the page's items (`messages`, `events`, `files`). */
  itemsKey: K;
}

type PagedOutput<K extends string> = { [key in K]: unknown[] } & {
  nextPageToken?: string | null | undefined;
};

/**
 * {@link defineAction} for list endpoints: `stream` calls `run` page after page (feeding
 * `nextPageToken` back as `pageToken`) and yields every item, stopping when there is no next page.
 */
export function definePagedAction<
  I extends z.ZodType<{ pageToken?: string | undefined }>,
  O extends z.ZodType<PagedOutput<K>>,
  K extends string,
>(spec: PagedActionSpec<I, O, K>): ActionDefinition<z.output<I>, z.output<O>, z.output<O>[K][number]> {
  return defineAction<I, O, z.output<O>[K][number]>({
    ...spec,
    async *stream(context, input) {
      let pageToken = input.pageToken;
      const seen = new Set<string>();
      for (;;) {
        const page = await spec.run(context, { ...input, pageToken });
        for (const item of page[spec.itemsKey]) yield item as z.output<O>[K][number];
        const next = page.nextPageToken ?? undefined;
        if (!next || seen.has(next)) return; // a repeating token would loop forever
        seen.add(next);
        pageToken = next;
      }
    },
  });
}
