import { ToolMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { type DynamicStructuredTool, tool } from "@langchain/core/tools";
import {
  type ActionDescriptor,
  AuthRequiredError,
  type Connection,
  isScpError,
  NotFoundError,
  ProviderError,
  RateLimitedError,
  ReauthRequiredError,
  type Session,
  UpstreamError,
  ValidationError,
} from "@securecontext/protocol";
import { createClient, type ScpClient } from "@securecontext/sdk";
import { z } from "zod";
import { type ScpToolsBackend, sdkBackend } from "./backend";
import { type JsonSchema, jsonSchemaToZod } from "./json-schema-to-zod";
import { authRequiredMessage, invalidInputMessage, reauthRequiredMessage, truncate } from "./messages";
import { toolNamesFor } from "./tool-names";

/** Where the tools reach SCP. The session token binds the user: tools never take a user id. */
export type ScpToolsSource =
  | { client: ScpClient }
  | { sessionToken: string; baseUrl: string; fetch?: typeof fetch }
  | { backend: ScpToolsBackend };

/** Options of {@link createScpTools}. Never mutated. */
export interface CreateScpToolsOptions {
  /** Only these action ids (e.g. `["google.gmail.search"]`); default every action the server offers. */
  actions?: readonly string[];
  /**
   * When a tool needs a connection or scope the person has not granted (or must reconnect):
   * `message` (default) returns a clear message with the connect URL to the model, so it can ask
   * the person; `throw` throws the `AuthRequiredError` / `ReauthRequiredError` for the app to
   * handle (for example as a LangGraph `interrupt` in a `wrapToolCall` middleware).
   */
  onAuthRequired?: "message" | "throw";
  /** Add the `list_connections` tool (default true). */
  includeListConnections?: boolean;
  /** Longest tool result (JSON text) handed to the model; default 20 000 characters. */
  maxOutputChars?: number;
  signal?: AbortSignal;
}

/** A LangChain tool backed by an SCP action (or the `list_connections` helper). */
export type ScpTool = DynamicStructuredTool;

/** Metadata every SCP tool carries (`tool.metadata`). */
export interface ScpToolMetadata extends Record<string, unknown> {
  scpActionId: string | null;
  scpProviderId: string | null;
}

const LIST_CONNECTIONS = "list_connections";

function providerName(providerId: string): string {
  const known: Record<string, string> = { google: "Google", microsoft: "Microsoft" };
  return known[providerId] ?? providerId.charAt(0).toUpperCase() + providerId.slice(1);
}

function backendFor(source: ScpToolsSource): ScpToolsBackend {
  if ("backend" in source) return source.backend;
  if ("client" in source) return sdkBackend(source.client);
  return sdkBackend(
    createClient({ baseUrl: source.baseUrl, sessionToken: source.sessionToken, fetch: source.fetch }),
  );
}

function toolCallId(arg: unknown, config: unknown): string | undefined {
  if (arg && typeof arg === "object" && (arg as { type?: unknown }).type === "tool_call") {
    const id = (arg as { id?: unknown }).id;
    if (typeof id === "string") return id;
  }
  const fromConfig = (config as { toolCall?: { id?: unknown } } | undefined)?.toolCall?.id;
  return typeof fromConfig === "string" ? fromConfig : undefined;
}

/**
 * Validates arguments before LangChain does, so a bad call becomes an `INVALID_INPUT` tool
 * message the model can fix instead of an exception that ends the run (whatever the agent
 * framework's error handling).
 */
function returnValidationErrorsToModel(scpTool: ScpTool, schema: z.ZodType): ScpTool {
  const call = scpTool.call.bind(scpTool);
  const guarded = async (arg: unknown, config?: unknown, tags?: string[]) => {
    const args =
      arg && typeof arg === "object" && "args" in arg && toolCallId(arg, undefined) ? arg.args : arg;
    const parsed = await schema.safeParseAsync(args ?? {});
    if (!parsed.success) {
      const content = invalidInputMessage(scpTool.name, parsed.error.issues);
      const id = toolCallId(arg, config);
      return id
        ? new ToolMessage({ content, tool_call_id: id, name: scpTool.name, status: "error", artifact: null })
        : content;
    }
    return (call as (a: unknown, c?: unknown, t?: string[]) => Promise<unknown>)(arg, config, tags);
  };
  scpTool.call = guarded as ScpTool["call"];
  return scpTool;
}

function describeAction(
  action: ActionDescriptor,
  connections: Connection[],
  scopes: ReadonlySet<string>,
): string {
  const provider = providerName(action.providerId);
  const mine = connections.filter((connection) => connection.providerId === action.providerId);
  const base = `${action.title}. ${action.description}`.trim();
  if (mine.length === 0) {
    return `${base} Needs a ${provider} account, which the user has not connected yet: calling it returns a link for the user to connect.`;
  }
  const missing = action.requiredScopes.filter((scope) => !scopes.has(scope));
  if (missing.length > 0) {
    return `${base} The user's ${provider} connection lacks some permission it needs: calling it returns a link to grant it.`;
  }
  const accounts = mine.map(
    (connection) => connection.account.email ?? connection.account.name ?? connection.id,
  );
  return `${base} Uses the user's ${provider} account (${accounts.join(", ")}).`;
}

function actionTool(
  action: ActionDescriptor,
  name: string,
  backend: ScpToolsBackend,
  context: { session: Session; connections: Connection[] },
  options: Required<Pick<CreateScpToolsOptions, "onAuthRequired" | "maxOutputChars">>,
): ScpTool {
  const providerConnections = context.connections.filter(
    (connection) => connection.providerId === action.providerId && connection.status !== "revoked",
  );
  let schema = jsonSchemaToZod(action.inputSchema as JsonSchema);
  if (providerConnections.length > 1 && schema instanceof z.ZodObject) {
    const ids = providerConnections.map((connection) => connection.id) as [string, ...string[]];
    schema = schema.extend({
      connectionId: z
        .enum(ids)
        .optional()
        .describe(
          `Which ${providerName(action.providerId)} account to use: ${providerConnections
            .map(
              (connection) =>
                `${connection.id} = ${connection.account.email ?? connection.account.name ?? "?"}`,
            )
            .join("; ")}`,
        ),
    });
  }
  const provider = providerName(action.providerId);
  const run = async (input: unknown, config?: RunnableConfig): Promise<[string, unknown]> => {
    const { connectionId, ...rest } = (input ?? {}) as { connectionId?: string } & Record<string, unknown>;
    const actionInput = providerConnections.length > 1 ? rest : input;
    try {
      const output = await backend.callAction(
        action.id,
        connectionId && providerConnections.length > 1
          ? { input: actionInput, connectionId }
          : { input: actionInput },
        config?.signal,
      );
      return [truncate(JSON.stringify(output ?? null), options.maxOutputChars), output];
    } catch (error) {
      if (
        error instanceof AuthRequiredError ||
        (isScpError(error) && ["auth_required", "insufficient_scope"].includes(error.code))
      ) {
        if (options.onAuthRequired === "throw") throw error;
        return [authRequiredMessage(error as AuthRequiredError, provider, name), { error: "auth_required" }];
      }
      if (error instanceof ReauthRequiredError) {
        if (options.onAuthRequired === "throw") throw error;
        return [reauthRequiredMessage(error, provider, name), { error: "reauth_required" }];
      }
      if (error instanceof ValidationError) {
        return [
          `INVALID_INPUT: SCP rejected the arguments for ${name}: ${error.message}. Call ${name} again with corrected arguments.`,
          { error: "invalid_request" },
        ];
      }
      if (error instanceof NotFoundError) {
        return [`NOT_FOUND: ${error.message}`, { error: "not_found" }];
      }
      if (error instanceof RateLimitedError) {
        const wait = error.retryAfter ? ` Try again in ${error.retryAfter} s.` : " Try again later.";
        return [
          `RATE_LIMITED: ${provider} or SCP is rate limiting requests.${wait}`,
          { error: "rate_limited" },
        ];
      }
      if (error instanceof UpstreamError || error instanceof ProviderError) {
        return [
          `UPSTREAM_ERROR: ${provider} could not complete ${name} (${error.message}). You may retry once or tell the user.`,
          { error: error.code },
        ];
      }
      throw error;
    }
  };
  const created = tool(run, {
    name,
    description: describeAction(action, context.connections, new Set(context.session.scopes)),
    schema: schema as z.ZodObject,
    responseFormat: "content_and_artifact",
    metadata: { scpActionId: action.id, scpProviderId: action.providerId } satisfies ScpToolMetadata,
  }) as unknown as ScpTool;
  return returnValidationErrorsToModel(created, schema);
}

function listConnectionsTool(backend: ScpToolsBackend, actions: ActionDescriptor[]): ScpTool {
  const providers = [...new Set(actions.map((action) => action.providerId))];
  const schema = z.object({});
  const created = tool(
    async (_input: unknown, config?: RunnableConfig): Promise<[string, unknown]> => {
      const connections = await backend.listConnections(config?.signal);
      const view = connections.map((connection) => ({
        id: connection.id,
        provider: connection.providerId,
        account: connection.account.email ?? connection.account.name ?? connection.account.subject,
        status: connection.status,
        ...(connection.statusReason ? { statusHint: connection.statusReason.hint } : {}),
        scopes: connection.scopes,
      }));
      const connected = new Set(connections.filter((c) => c.status === "active").map((c) => c.providerId));
      const result = { connections: view, notConnected: providers.filter((id) => !connected.has(id)) };
      return [JSON.stringify(result), result];
    },
    {
      name: LIST_CONNECTIONS,
      description:
        "Lists the accounts (Google, Microsoft, …) the user has connected for this session, with their status and granted scopes, and the providers not connected yet.",
      schema,
      responseFormat: "content_and_artifact",
      metadata: { scpActionId: null, scpProviderId: null } satisfies ScpToolMetadata,
    },
  ) as unknown as ScpTool;
  return returnValidationErrorsToModel(created, schema);
}

/**
 * LangChain tools for an SCP session: one per action (named for the model: `gmail_search`,
 * `outlook_search`, `calendar_list_events`, …) with zod schemas built from the action's JSON
 * Schema, plus `list_connections`. The session binds the user, so no tool takes a user or
 * session id. Tools for providers the person has not connected are included: calling one returns
 * the connect URL (or throws `AuthRequiredError` with `onAuthRequired: "throw"`). Invalid
 * arguments come back to the model as an `INVALID_INPUT` message, never as an exception.
 *
 * Tool results are JSON text for the model; the parsed output is the tool message's `artifact`.
 *
 * @example
 * ```ts
 * const tools = await createScpTools({ sessionToken, baseUrl: "http://localhost:8787" });
 * const agent = createAgent({ model, tools });
 * ```
 */
export async function createScpTools(
  source: ScpToolsSource,
  options: CreateScpToolsOptions = {},
): Promise<ScpTool[]> {
  const backend = backendFor(source);
  const signal = options.signal;
  let session: Session;
  try {
    session = await backend.currentSession(signal);
  } catch (error) {
    if (isScpError(error) && (error.status === 401 || error.status === 403)) {
      throw new TypeError(
        `createScpTools needs a session token (scp_st_…) that is valid and unexpired: ${error.message}`,
        { cause: error },
      );
    }
    throw error;
  }
  const [allActions, connections] = await Promise.all([
    backend.listActions(signal),
    backend.listConnections(signal),
  ]);
  let actions = allActions;
  if (options.actions) {
    const wanted = new Set(options.actions);
    const unknown = [...wanted].filter((id) => !allActions.some((action) => action.id === id));
    if (unknown.length) throw new TypeError(`Unknown SCP action id(s): ${unknown.join(", ")}`);
    actions = allActions.filter((action) => wanted.has(action.id));
  }
  const names = toolNamesFor(actions.map((action) => action.id));
  const settings = {
    onAuthRequired: options.onAuthRequired ?? "message",
    maxOutputChars: options.maxOutputChars ?? 20_000,
  } as const;
  const tools = actions.map((action) => {
    let name = names.get(action.id) as string;
    if (name === LIST_CONNECTIONS) name = `${action.providerId}_${name}`;
    return actionTool(action, name, backend, { session, connections }, settings);
  });
  if (options.includeListConnections ?? true) tools.push(listConnectionsTool(backend, allActions));
  return tools;
}
