import {
  type CreateWorkflowRunBody,
  createWorkflowRunBodySchema,
  parseOrThrow,
  type WorkflowRun,
  type WorkflowRunStatus,
  type WorkflowTemplate,
  workflowRunSchema,
  workflowRunStatusSchema,
  workflowTemplateSchema,
} from "@securecontext/protocol";
import { z } from "zod";
import { abortReason } from "../abort";
import type { RequestOptions } from "../options";
import { parseSse } from "../sse";
import type { Transport } from "../transport";
import { type ListMethods, listMethods, type PageQuery } from "./list";
import { segment } from "./path";

/** A template as `POST /v1/workflow-templates` accepts it (defaults may be omitted). */
export type WorkflowTemplateInput = z.input<typeof workflowTemplateSchema>;

const createdRunSchema = z.object({ id: z.string(), status: workflowRunStatusSchema });

/** One Server-Sent Event of a run (`step.started`, `run.succeeded`, …). */
export interface WorkflowRunEvent {
  /** The SSE `event` name, e.g. `step.succeeded` or `run.waiting_for_auth`. */
  type: string;
  /** The `data` payload parsed as JSON (the raw string when it is not JSON). */
  data: unknown;
  /** The SSE id, used as `Last-Event-ID` when the SDK reconnects. */
  id: string | undefined;
}

const TERMINAL_EVENTS = new Set(["run.succeeded", "run.failed", "run.cancelled"]);
const TERMINAL_STATUSES = new Set<WorkflowRunStatus>(["succeeded", "failed", "cancelled"]);

export interface WorkflowRunEventsOptions extends RequestOptions {
  /** Resume after this event id (sent as `Last-Event-ID`). */
  lastEventId?: string;
  /** Reconnections after a dropped stream before giving up; default 5. */
  maxReconnects?: number;
}

export interface WorkflowTemplatesApi extends ListMethods<WorkflowTemplate, PageQuery> {
  get(templateId: string, options?: RequestOptions): Promise<WorkflowTemplate>;
  /** Admin: stores a validated template. */
  create(template: WorkflowTemplateInput, options?: RequestOptions): Promise<WorkflowTemplate>;
}

export interface WorkflowRunsApi {
  /** Starts a run (202): `{ id, status }`. */
  create(
    body: CreateWorkflowRunBody,
    options?: RequestOptions,
  ): Promise<{ id: string; status: WorkflowRunStatus }>;
  get(runId: string, options?: RequestOptions): Promise<WorkflowRun>;
  cancel(runId: string, options?: RequestOptions): Promise<WorkflowRun>;
  /**
   * The run's events as they happen (SSE). Ends after `run.succeeded` / `run.failed` /
   * `run.cancelled`; a dropped connection is resumed with `Last-Event-ID` unless the run has
   * finished meanwhile.
   */
  events(
    runId: string,
    options?: WorkflowRunEventsOptions,
  ): AsyncGenerator<WorkflowRunEvent, void, undefined>;
}

export function workflowTemplatesApi(transport: Transport): WorkflowTemplatesApi {
  return {
    ...listMethods(transport, "/v1/workflow-templates", workflowTemplateSchema),
    get: (templateId, options) =>
      transport.json({
        method: "GET",
        path: `/v1/workflow-templates/${segment(templateId)}`,
        schema: workflowTemplateSchema,
        options,
      }),
    create: (template, options) =>
      transport.json({
        method: "POST",
        path: "/v1/workflow-templates",
        body: template,
        schema: workflowTemplateSchema,
        options,
      }),
  };
}

function parseData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

export function workflowRunsApi(transport: Transport): WorkflowRunsApi {
  const get = (runId: string, options?: RequestOptions) =>
    transport.json({
      method: "GET",
      path: `/v1/workflow-runs/${segment(runId)}`,
      schema: workflowRunSchema,
      options,
    });
  return {
    create: (body, options) => {
      // Validate locally too: the body's "exactly one of templateId or template" rule is easy to miss.
      parseOrThrow(createWorkflowRunBodySchema, body);
      return transport.json({
        method: "POST",
        path: "/v1/workflow-runs",
        body,
        schema: createdRunSchema,
        options,
      });
    },
    get,
    cancel: (runId, options) =>
      transport.json({
        method: "POST",
        path: `/v1/workflow-runs/${segment(runId)}/cancel`,
        schema: workflowRunSchema,
        options,
      }),
    events: async function* (runId, options = {}) {
      const path = `/v1/workflow-runs/${segment(runId)}/events`;
      let lastEventId = options.lastEventId;
      let reconnects = 0;
      const maxReconnects = options.maxReconnects ?? 5;
      while (true) {
        const headers: Record<string, string> = { Accept: "text/event-stream" };
        if (lastEventId !== undefined) headers["Last-Event-ID"] = lastEventId;
        const response = await transport.raw({ method: "GET", path, headers, options });
        let retryMs = 1000;
        if (response.body) {
          try {
            for await (const event of parseSse(response.body, options.signal)) {
              lastEventId = event.id ?? lastEventId;
              if (event.retry !== undefined) retryMs = event.retry;
              reconnects = 0;
              yield { type: event.event, data: parseData(event.data), id: event.id };
              if (TERMINAL_EVENTS.has(event.event)) return;
            }
          } catch (error) {
            if (options.signal?.aborted) throw abortReason(options.signal);
            if (reconnects >= maxReconnects) throw error;
          }
        }
        if (options.signal?.aborted) throw abortReason(options.signal);
        const run = await get(runId, options);
        if (TERMINAL_STATUSES.has(run.status)) return;
        if (reconnects >= maxReconnects) return;
        reconnects++;
        await transport.clock.sleep(retryMs, options.signal);
      }
    },
  };
}
