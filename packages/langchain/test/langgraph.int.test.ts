import { AIMessage, type BaseMessage, ToolMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import { Command, interrupt, MemorySaver } from "@langchain/langgraph";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { AuthRequiredError } from "@securecontext/protocol";
import { createClient, type ScpClient } from "@securecontext/sdk";
import { createAgent, createMiddleware } from "langchain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consentInBrowser } from "../../sdk/test/helpers/consent";
import { type DemoServer, startDemoServer } from "../../sdk/test/helpers/server";
import { createScpTools } from "../src/index";

// LangGraph with SCP tools against the real server in demo mode: the prebuilt ReAct agent, and the
// README's interrupt path (onAuthRequired "throw" → interrupt → person connects → resume).
// Only the model is scripted; tools, HTTP, SCP, the OAuth flows and the mailboxes are real.
let server: DemoServer;
let app: ScpClient;
let googleConnectionId: string;
let sessionToken: string;
const userId = `langgraph-user-${Date.now()}`;

beforeAll(async () => {
  server = await startDemoServer();
  const admin = createClient({ baseUrl: server.url, apiKey: server.adminKey });
  const created = await admin.clients.create({ name: "LangGraph test app" });
  app = createClient({ baseUrl: server.url, apiKey: created.apiKey });
  const request = await app.connectRequests.create({ userId, providerId: "google" });
  await consentInBrowser(request.url, { user: "alice@example.test" });
  googleConnectionId = (await app.waitForConnection(request.id, { intervalMs: 100 })).id;
  // Google only: Microsoft tools need a connection the person has not made yet.
  const session = await app.sessions.create({
    userId,
    agentId: "langgraph-test",
    connectionIds: [googleConnectionId],
  });
  sessionToken = session.token;
});

afterAll(async () => {
  await server?.close();
});

function toolMessages(messages: BaseMessage[]): ToolMessage[] {
  return messages.filter((message): message is ToolMessage => ToolMessage.isInstance(message));
}

/** A final answer built from the last tool result, as a real model would summarise it. */
function summarise(messages: BaseMessage[]): AIMessage {
  const content = String(toolMessages(messages).at(-1)?.content ?? "");
  const { messages: mail } = JSON.parse(content) as { messages: { subject: string }[] };
  return new AIMessage(`Your latest mail:\n${mail.map((m) => `- ${m.subject}`).join("\n")}`);
}

/** What the app passes to `interrupt()` and gets back on resume. */
interface ConnectInterrupt {
  connectUrl: string | undefined;
  provider: string | undefined;
  missingScopes: string[];
}
interface ConnectResume {
  sessionToken?: string;
}

describe("@langchain/langgraph with SCP tools", () => {
  it("createReactAgent (prebuilt) calls an SCP tool and answers with the mailbox data", async () => {
    const tools = await createScpTools({ sessionToken, baseUrl: server.url });
    const model = fakeModel()
      .respondWithTools([{ name: "gmail_search", args: { query: "", maxResults: 2 }, id: "call_gmail" }])
      .respond(summarise);
    const agent = createReactAgent({ llm: model, tools });
    const result = await agent.invoke({ messages: [{ role: "user", content: "Latest emails?" }] });

    const [toolResult] = toolMessages(result.messages);
    expect(toolResult?.name).toBe("gmail_search");
    expect(toolResult?.status).not.toBe("error");
    const expected = await createClient({ baseUrl: server.url, sessionToken }).actions.call<{
      messages: { subject: string }[];
    }>("google.gmail.search", { input: { query: "", maxResults: 2 } });
    expect(expected.output.messages).toHaveLength(2);
    const answer = String(result.messages.at(-1)?.content);
    for (const message of expected.output.messages) expect(answer).toContain(message.subject);
    expect(model.callCount).toBe(2);
  });

  it("interrupts on AuthRequiredError with the connect URL, then resumes after the person connects", async () => {
    const baseUrl = server.url;
    const tools = await createScpTools({ sessionToken, baseUrl }, { onAuthRequired: "throw" });
    const interrupts: ConnectInterrupt[] = [];
    // The README's gate: pause on AuthRequiredError; on resume, retry the call with tools of the
    // session the app created after the person connected (sessions are bound to connections).
    const connectGate = createMiddleware({
      name: "ScpConnectGate",
      wrapToolCall: async (request, handler) => {
        try {
          return await handler(request);
        } catch (error) {
          if (!(error instanceof AuthRequiredError)) throw error;
          const payload: ConnectInterrupt = {
            connectUrl: error.connectUrl,
            provider: error.providerId,
            missingScopes: error.missingScopes,
          };
          interrupts.push(payload);
          const resumed = interrupt<ConnectInterrupt, ConnectResume>(payload);
          if (!resumed.sessionToken) {
            return new ToolMessage({
              tool_call_id: request.toolCall.id ?? "",
              name: request.toolCall.name,
              status: "error",
              content: `The user did not connect ${payload.provider ?? "the account"}.`,
            });
          }
          const fresh = await createScpTools({ sessionToken: resumed.sessionToken, baseUrl });
          return handler({ ...request, tool: fresh.find((t) => t.name === request.toolCall.name) });
        }
      },
    });
    const model = fakeModel()
      .respondWithTools([{ name: "outlook_search", args: { query: "", maxResults: 2 }, id: "call_outlook" }])
      .respond(summarise);
    const agent = createAgent({ model, tools, middleware: [connectGate], checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: `thread-${Date.now()}` } };

    const paused = await agent.invoke(
      { messages: [{ role: "user", content: "Search my Outlook." }] },
      config,
    );
    const pending = paused.__interrupt__;
    expect(pending).toHaveLength(1);
    const value = pending?.[0]?.value as ConnectInterrupt;
    expect(value.provider).toBe("microsoft");
    expect(value.connectUrl).toMatch(new RegExp(`^${baseUrl}/connect/cr_[A-Za-z0-9]+$`));
    // No tool result yet: the run stopped inside the tool node, checkpointed on the thread.
    expect(toolMessages(paused.messages)).toHaveLength(0);
    const snapshot = await agent.graph.getState(config);
    expect(snapshot.next).toEqual(["tools"]);

    // The person opens the link and connects Microsoft; the app waits, then makes a new session.
    const connectUrl = value.connectUrl as string;
    await consentInBrowser(connectUrl, { user: "alice@example.test" });
    const connectRequestId = /\/connect\/(cr_[A-Za-z0-9]+)$/.exec(connectUrl)?.[1] as string;
    const microsoft = await app.waitForConnection(connectRequestId, { intervalMs: 100 });
    expect(microsoft.providerId).toBe("microsoft");
    const renewed = await app.sessions.create({
      userId,
      agentId: "langgraph-test",
      connectionIds: [googleConnectionId, microsoft.id],
    });

    const result = await agent.invoke(
      new Command({ resume: { sessionToken: renewed.token } satisfies ConnectResume }),
      config,
    );
    expect(result.__interrupt__ ?? []).toHaveLength(0);
    const [toolResult] = toolMessages(result.messages);
    expect(toolResult?.name).toBe("outlook_search");
    expect(toolResult?.status).not.toBe("error");
    const expected = await createClient({ baseUrl, sessionToken: renewed.token }).actions.call<{
      messages: { subject: string }[];
    }>("microsoft.mail.search", { input: { query: "", maxResults: 2 } });
    expect(expected.output.messages.length).toBeGreaterThan(0);
    const answer = String(result.messages.at(-1)?.content);
    for (const message of expected.output.messages) expect(answer).toContain(message.subject);
    // The tool node re-ran on resume (the old session threw again), but interrupt() returned
    // the resume value instead of pausing a second time.
    expect(interrupts).toHaveLength(2);
    expect(model.callCount).toBe(2);
  });

  it("resuming without a connection gives the model an error result instead of crashing", async () => {
    const tools = await createScpTools({ sessionToken, baseUrl: server.url }, { onAuthRequired: "throw" });
    const connectGate = createMiddleware({
      name: "ScpConnectGate",
      wrapToolCall: async (request, handler) => {
        try {
          return await handler(request);
        } catch (error) {
          if (!(error instanceof AuthRequiredError)) throw error;
          const resumed = interrupt<{ connectUrl: string | undefined }, ConnectResume>({
            connectUrl: error.connectUrl,
          });
          if (resumed.sessionToken) throw new Error("not expected in this test");
          return new ToolMessage({
            tool_call_id: request.toolCall.id ?? "",
            name: request.toolCall.name,
            status: "error",
            content: "The user did not connect Microsoft.",
          });
        }
      },
    });
    const model = fakeModel()
      .respondWithTools([{ name: "outlook_search", args: {}, id: "call_outlook" }])
      .respond(new AIMessage("Okay, I will not search Outlook."));
    const agent = createAgent({ model, tools, middleware: [connectGate], checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: `thread-declined-${Date.now()}` } };
    const paused = await agent.invoke({ messages: [{ role: "user", content: "Outlook?" }] }, config);
    expect(paused.__interrupt__).toHaveLength(1);
    const result = await agent.invoke(new Command({ resume: {} }), config);
    const [toolResult] = toolMessages(result.messages);
    expect(toolResult?.status).toBe("error");
    expect(String(toolResult?.content)).toBe("The user did not connect Microsoft.");
    expect(String(result.messages.at(-1)?.content)).toBe("Okay, I will not search Outlook.");
  });
});
