/**
 * LangChain.js tools for SecureContext sessions: give an agent a session token and it gets one
 * typed tool per SCP action (Gmail, Outlook, Calendar, Drive, …) plus `list_connections`. The
 * session binds the user; the model never picks a user or session id. When the person has not
 * connected an account, the tool answers with the link to connect it instead of failing the run.
 *
 * @example
 * ```ts
 * import { createScpTools } from "@securecontext/langchain";
 * import { createAgent } from "langchain";
 * import { ChatOpenAI } from "@langchain/openai";
 *
 * const tools = await createScpTools({ sessionToken: process.env.SCP_SESSION_TOKEN!, baseUrl: "http://localhost:8787" });
 * const agent = createAgent({ model: new ChatOpenAI({ model: "gpt-4.1-mini" }), tools });
 * const result = await agent.invoke({ messages: [{ role: "user", content: "What did Acme send me this week?" }] });
 * console.log(result.messages.at(-1)?.content);
 * ```
 *
 * @packageDocumentation
 */
export { type ScpToolsBackend, sdkBackend } from "./backend";
export {
  type CreateScpToolsOptions,
  createScpTools,
  type ScpTool,
  type ScpToolMetadata,
  type ScpToolsSource,
} from "./create-scp-tools";
export { convertJsonSchema, type JsonSchema, jsonSchemaToZod } from "./json-schema-to-zod";
export { toolNamesFor } from "./tool-names";
