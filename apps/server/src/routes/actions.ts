import {
  type ActionDescriptor,
  actionCallBodySchema,
  actionIdSchema,
  parseOrThrow,
  toProblem,
} from "@securecontext/protocol";
import type { ActionDefinition } from "@securecontext/providers";
import type { Context, Hono } from "hono";
import { z } from "zod";
import { requireCaller } from "../http/auth";
import { readJson, readParam } from "../http/body";
import type { AppEnv } from "../http/context";
import type { AppDeps } from "../http/deps";
import { normalizeError } from "../http/errors";
import { requestHeader } from "../http/request-header";
import { requestSignal } from "../http/request-signal";
import { findAction, resolveActionConnection, withConnectUrl } from "./action-target";
import { aboutConnection, recordAudit } from "./shared";

function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  try {
    return z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as Record<
      string,
      unknown
    >;
  } catch {
    return {};
  }
}

/** `GET /v1/actions` item for one action. */
export function describeAction(action: ActionDefinition): ActionDescriptor {
  return {
    id: action.id,
    providerId: action.providerId,
    title: action.title,
    description: action.description,
    requiredScopes: action.requiredScopes,
    inputSchema: jsonSchemaOf(action.input, "input"),
    outputSchema: jsonSchemaOf(action.output, "output"),
  };
}

async function prepareCall(c: Context<AppEnv>, deps: AppDeps) {
  const caller = requireCaller(c, "session", "admin", "client");
  const actionId = readParam(c, "actionId", actionIdSchema);
  const action = findAction(deps, actionId);
  const body = await readJson(c, actionCallBodySchema);
  const input = parseOrThrow(action.input, body.input ?? {}, "body.input");
  const connection = await resolveActionConnection(c, deps, caller, action, body);
  return { caller, action, input, connection };
}

/** NDJSON (default) or SSE framing of stream items. */
function framer(sse: boolean) {
  const encoder = new TextEncoder();
  return {
    item: (value: unknown) =>
      encoder.encode(sse ? `data: ${JSON.stringify(value)}\n\n` : `${JSON.stringify(value)}\n`),
    done: (count: number) =>
      encoder.encode(
        sse
          ? `event: done\ndata: ${JSON.stringify({ done: true, count })}\n\n`
          : `${JSON.stringify({ done: true, count })}\n`,
      ),
    error: (problem: unknown) =>
      encoder.encode(
        sse
          ? `event: error\ndata: ${JSON.stringify(problem)}\n\n`
          : `${JSON.stringify({ error: problem })}\n`,
      ),
  };
}

/** `GET /v1/actions`, `POST /v1/actions/:actionId`, `POST /v1/actions/:actionId/stream`. */
export function registerActionRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  let descriptors: ActionDescriptor[] | undefined;

  app.get("/v1/actions", (c) => {
    requireCaller(c, "admin", "client", "session");
    descriptors ??= [...deps.providers.values()].flatMap((provider) => provider.actions.map(describeAction));
    return c.json({ items: descriptors, nextCursor: null });
  });

  app.post("/v1/actions/:actionId", async (c) => {
    const { caller, action, input, connection } = await prepareCall(c, deps);
    const started = Date.now();
    try {
      const output = await deps.pool.actions.run({
        actionId: action.id,
        connectionId: connection.id,
        input,
        signal: requestSignal(c),
      });
      recordAudit(c, deps, {
        type: "action.called",
        outcome: "success",
        ...aboutConnection(connection),
        action: action.id,
        detail: { ms: Date.now() - started },
      });
      return c.json({ output });
    } catch (error) {
      recordAudit(c, deps, {
        type: "action.called",
        outcome: "failure",
        ...aboutConnection(connection),
        action: action.id,
        detail: { code: toProblem(normalizeError(error)).code },
      });
      throw await withConnectUrl(c, deps, caller, connection, action, error);
    }
  });

  app.post("/v1/actions/:actionId/stream", async (c) => {
    const { caller, action, input, connection } = await prepareCall(c, deps);
    const sse = (requestHeader(c, "accept") ?? "").includes("text/event-stream");
    const frames = framer(sse);
    const abort = new AbortController();
    requestSignal(c).addEventListener("abort", () => abort.abort(), { once: true });
    const iterator = deps.pool.actions
      .stream({ actionId: action.id, connectionId: connection.id, input, signal: abort.signal })
      [Symbol.asyncIterator]();

    // Pull the first item before answering, so setup failures (auth, upstream) are a normal problem+json.
    let first: IteratorResult<unknown>;
    try {
      first = await iterator.next();
    } catch (error) {
      recordAudit(c, deps, {
        type: "action.streamed",
        outcome: "failure",
        ...aboutConnection(connection),
        action: action.id,
      });
      throw await withConnectUrl(c, deps, caller, connection, action, error);
    }
    let count = 0;
    let pending: IteratorResult<unknown> | undefined = first;
    let finished = false;
    const finish = async (outcome: "success" | "failure") => {
      if (finished) return;
      finished = true;
      recordAudit(c, deps, {
        type: "action.streamed",
        outcome,
        ...aboutConnection(connection),
        action: action.id,
        detail: { count },
      });
    };
    // Pull-based stream: the next item is fetched only when the consumer is ready (back-pressure).
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const result = pending ?? (await iterator.next());
            pending = undefined;
            if (result.done) {
              controller.enqueue(frames.done(count));
              controller.close();
              await finish("success");
              return;
            }
            count += 1;
            controller.enqueue(frames.item(result.value));
          } catch (error) {
            controller.enqueue(frames.error(toProblem(normalizeError(error))));
            controller.close();
            await finish("failure");
          }
        },
        async cancel() {
          abort.abort();
          await iterator.return?.().catch(() => undefined);
          await finish("failure");
        },
      },
      { highWaterMark: 1 },
    );
    return new Response(body, {
      status: 200,
      headers: {
        "Content-Type": sse ? "text/event-stream; charset=utf-8" : "application/x-ndjson; charset=utf-8",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        ...(sse ? { "X-Accel-Buffering": "no" } : {}),
      },
    });
  });
}
