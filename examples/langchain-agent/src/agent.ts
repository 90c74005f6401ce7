/**
 * A LangChain.js agent that reads a person's mail through SecureContext, fully offline: the
 * reference server runs in demo mode (local Google- and Microsoft-like IdPs with sample data)
 * and a scripted model stands in for the LLM.
 *
 *   pnpm --filter @securecontext/example-langchain-agent start
 */
import { createScpTools } from "@securecontext/langchain";
import { createClient } from "@securecontext/sdk";
import { startServer } from "@securecontext/server";
import { createAgent } from "langchain";
import { approveInDemoBrowser } from "./demo-consent";
import { createScriptedModel } from "./scripted-model";

export interface DemoRun {
  /** The agent's final answer. */
  answer: string;
  /** Names of the tools the agent was given. */
  tools: string[];
}

/** Starts demo mode, connects Alice's Google account, and asks the agent about her mail. */
export async function runDemoAgent(log: (line: string) => void = () => {}): Promise<DemoRun> {
  const server = await startServer({
    env: { SCP_STORE: "memory:", SCP_LOG_LEVEL: "silent", SCP_ALLOW_INSECURE_HTTP: "true" },
    port: 0,
  });
  try {
    // 1. Your backend (admin key here; a client API key in production) asks Alice to connect Google.
    const admin = createClient({ baseUrl: server.url, apiKey: server.adminKey });
    const app = await admin.clients.create({ name: "Mail assistant" });
    const scp = createClient({ baseUrl: server.url, apiKey: app.apiKey });
    const request = await scp.connectRequests.create({
      userId: "alice",
      providerId: "google",
      agentId: "mail-assistant",
    });
    log(`Alice opens ${request.url} and approves…`);
    await approveInDemoBrowser(request.url);
    const connection = await scp.waitForConnection(request.id, { intervalMs: 200 });
    log(`Connected ${connection.account.email} (${connection.providerId}).`);

    // 2. The agent gets a short-lived session token — never a refresh token, never a user id.
    const session = await scp.sessions.create({
      userId: "alice",
      agentId: "mail-assistant",
      connectionIds: [connection.id],
      ttlSeconds: 900,
    });

    // 3. SCP tools for that session, and an agent that uses them.
    const tools = await createScpTools({ sessionToken: session.token, baseUrl: server.url });
    const agent = createAgent({ model: createScriptedModel(), tools });
    const result = await agent.invoke({ messages: [{ role: "user", content: "What's new in my inbox?" }] });
    const answer = String(result.messages.at(-1)?.content ?? "");
    return { answer, tools: tools.map((t) => t.name) };
  } finally {
    await server.close();
  }
}

const entry = process.argv[1];
if (entry && import.meta.url === new URL(`file://${entry}`).href) {
  runDemoAgent(console.log).then(
    (run) => {
      console.log(`\nTools: ${run.tools.join(", ")}\n\n${run.answer}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
