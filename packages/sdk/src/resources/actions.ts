import {
  type ActionCallBody,
  type ActionDescriptor,
  actionDescriptorSchema,
  actionResultSchema,
  fromProblem,
  streamDoneSchema,
  UnexpectedResponseError,
} from "@securecontext/protocol";
import { z } from "zod";
import { parseNdjson } from "../ndjson";
import type { RequestOptions } from "../options";
import type { Transport } from "../transport";
import { segment } from "./path";

const actionListSchema = z.object({ items: z.array(actionDescriptorSchema) });

export interface ActionsApi {
  /** Every action the server offers, with JSON Schemas of input and output. */
  list(options?: RequestOptions): Promise<ActionDescriptor[]>;
  /**
   * Runs an action and returns its output (one page). `TOutput` is the caller's claim about the
   * output shape; it is not validated (the descriptor's `outputSchema` describes it). Missing
   * connection or scopes throw `AuthRequiredError` with `connectUrl`.
   */
  call<TOutput = unknown>(
    actionId: string,
    body?: ActionCallBody,
    options?: RequestOptions,
  ): Promise<{ output: TOutput }>;
  /**
   * Every item across all pages, read from the NDJSON stream as it arrives (back-pressure: the
   * next chunk is read only when you iterate). Ends on the server's `{"done":true,"count":N}`
   * line; a stream that ends without it, or whose count disagrees, throws
   * `UnexpectedResponseError`. Abort with `options.signal` or by leaving the loop.
   */
  stream<TItem = unknown>(
    actionId: string,
    body?: ActionCallBody,
    options?: RequestOptions,
  ): AsyncGenerator<TItem, void, undefined>;
}

function isErrorLine(value: unknown): value is { error: unknown } {
  return typeof value === "object" && value !== null && "error" in value && !("done" in value);
}

export function actionsApi(transport: Transport): ActionsApi {
  return {
    list: async (options) =>
      (await transport.json({ method: "GET", path: "/v1/actions", schema: actionListSchema, options })).items,
    call: async <TOutput>(actionId: string, body?: ActionCallBody, options?: RequestOptions) => {
      const result = await transport.json({
        method: "POST",
        path: `/v1/actions/${segment(actionId)}`,
        body: body ?? { input: {} },
        schema: actionResultSchema,
        options,
      });
      return result as { output: TOutput };
    },
    stream: async function* <TItem>(actionId: string, body?: ActionCallBody, options?: RequestOptions) {
      const path = `/v1/actions/${segment(actionId)}/stream`;
      const response = await transport.raw({
        method: "POST",
        path,
        headers: { Accept: "application/x-ndjson", "Content-Type": "application/json" },
        body: JSON.stringify(body ?? { input: {} }),
        options,
      });
      if (!response.body) throw new UnexpectedResponseError(`POST ${path}: response has no body`);
      let count = 0;
      for await (const line of parseNdjson(response.body, options?.signal)) {
        const done = streamDoneSchema.safeParse(line);
        if (done.success) {
          if (done.data.count !== count) {
            throw new UnexpectedResponseError(
              `POST ${path}: stream announced ${done.data.count} items but delivered ${count}`,
            );
          }
          return;
        }
        if (isErrorLine(line)) throw fromProblem(line.error, 502);
        count++;
        yield line as TItem;
      }
      throw new UnexpectedResponseError(
        `POST ${path}: stream ended after ${count} items without its done line`,
      );
    },
  };
}
