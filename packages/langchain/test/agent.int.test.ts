import { AIMessage, type BaseMessage, ToolMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import { AuthRequiredError } from "@securecontext/protocol";
import { createClient, type ScpClient } from "@securecontext/sdk";
import { createAgent, createMiddleware } from "langchain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consentInBrowser } from "../../sdk/test/helpers/consent";
import { type DemoServer, startDemoServer } from "../../sdk/test/helpers/server";
import { createScpTools } from "../src/index";

// A real LangChain agent (createAgent + scripted tool-calling model) against the real server in
// demo mode. Only the model is fake: tools, HTTP, SCP, the OAuth flow and the mailbox are real.
let server: DemoServer;
let app: ScpClient;
let sessionToken: string;
const userId = `agent-user-${Date.now()}`;

beforeAll(async () => {
  server = await startDemoServer();
  const admin = createClient({ baseUrl: server.url, apiKey: server.adminKey });
  const created = await admin.clients.create({ name: "LangChain test app" });
  app = createClient({ baseUrl: server.url, apiKey: created.apiKey });
  const request = await app.connectRequests.create({ userId, providerId: "google" });
  await consentInBrowser(request.url, { user: "alice@example.test" });
  const google = await app.waitForConnection(request.id, { intervalMs: 100 });
  // The session holds Google only: Microsoft tools must answer with a connect link.
  const session = await app.sessions.create({
    userId,
    agentId: "langchain-test",
    connectionIds: [google.id],
  });
  sessionToken = session.token;
});

afterAll(async () => {
  await server?.close();
});

function toolMessages(messages: BaseMessage[]): ToolMessage[] {
  return messages.filter((message): message is ToolMessage => ToolMessage.isInstance(message));
}

/** A final answer built from what the tools returned, as a real model would summarise it. */
function summarise(messages: BaseMessage[]): AIMessage {
  const last = toolMessages(messages).at(-1);
  const content = String(last?.content ?? "");
  if (content.startsWith("AUTH_REQUIRED")) {
    const url = /https?:\/\/\S+\/connect\/cr_[A-Za-z0-9]+/.exec(content)?.[0];
    return new AIMessage(`Please connect your Microsoft account first: ${url}`);
  }
  const { messages: mail } = JSON.parse(content) as { messages: { subject: string; from: string }[] };
  return new AIMessage(`Your latest mail:\n${mail.map((m) => `- ${m.subject} (from ${m.from})`).join("\n")}`);
}

describe("LangChain agent with SCP tools", () => {
  it("searches Gmail through SCP and answers with the mailbox data", async () => {
    const tools = await createScpTools({ sessionToken, baseUrl: server.url });
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(["gmail_search", "outlook_search", "list_connections"]),
    );
    const model = fakeModel()
      .respondWithTools([{ name: "gmail_search", args: { query: "", maxResults: 3 }, id: "call_gmail" }])
      .respond(summarise);
    const agent = createAgent({ model, tools });
    const result = await agent.invoke({
      messages: [{ role: "user", content: "What are my latest emails?" }],
    });

    const expected = await createClient({ baseUrl: server.url, sessionToken }).actions.call<{
      messages: { subject: string }[];
    }>("google.gmail.search", { input: { query: "", maxResults: 3 } });
    const answer = String(result.messages.at(-1)?.content);
    expect(expected.output.messages).toHaveLength(3);
    for (const message of expected.output.messages) expect(answer).toContain(message.subject);
    const [toolResult] = toolMessages(result.messages);
    expect(toolResult?.status).not.toBe("error");
    expect(toolResult?.name).toBe("gmail_search");
  });

  it("answers a missing Microsoft connection with a working connect URL instead of failing", async () => {
    const tools = await createScpTools({ sessionToken, baseUrl: server.url });
    const model = fakeModel()
      .respondWithTools([{ name: "outlook_search", args: { query: "budget" }, id: "call_outlook" }])
      .respond(summarise);
    const result = await createAgent({ model, tools }).invoke({
      messages: [{ role: "user", content: "Search my Outlook for the budget." }],
    });
    const [toolResult] = toolMessages(result.messages);
    expect(String(toolResult?.content)).toMatch(
      /^AUTH_REQUIRED: The user has not connected a Microsoft account/,
    );
    const url = /http:\/\/\S+\/connect\/cr_[A-Za-z0-9]+/.exec(String(toolResult?.content))?.[0];
    expect(url?.startsWith(`${server.url}/connect/cr_`)).toBe(true);
    expect(String(result.messages.at(-1)?.content)).toContain(url);
    // The link is a real consent page for Microsoft, for this user.
    const page = await fetch(url as string);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Microsoft");
  });

  it("shows invalid tool input to the model, which corrects itself", async () => {
    const tools = await createScpTools({ sessionToken, baseUrl: server.url });
    const model = fakeModel()
      .respondWithTools([{ name: "gmail_search", args: { query: 7, maxResults: 1000 }, id: "call_bad" }])
      .respondWithTools([{ name: "gmail_search", args: { query: "", maxResults: 2 }, id: "call_good" }])
      .respond(summarise);
    const result = await createAgent({ model, tools }).invoke({
      messages: [{ role: "user", content: "Mail?" }],
    });
    const [bad, good] = toolMessages(result.messages);
    expect(bad?.status).toBe("error");
    expect(String(bad?.content)).toMatch(/^INVALID_INPUT: The arguments for gmail_search are not valid/);
    expect(String(bad?.content)).toContain("maxResults");
    expect(good?.status).not.toBe("error");
    expect(String(result.messages.at(-1)?.content)).toMatch(/^Your latest mail:\n- /);
    expect(model.callCount).toBe(3);
  });

  it("with onAuthRequired 'throw', a wrapToolCall middleware receives AuthRequiredError", async () => {
    const tools = await createScpTools({ sessionToken, baseUrl: server.url }, { onAuthRequired: "throw" });
    const seen: AuthRequiredError[] = [];
    const authGate = createMiddleware({
      name: "ScpAuthGate",
      wrapToolCall: async (request, handler) => {
        try {
          return await handler(request);
        } catch (error) {
          if (error instanceof AuthRequiredError) seen.push(error);
          throw error; // or: interrupt({ connectUrl: error.connectUrl }) from @langchain/langgraph
        }
      },
    });
    const model = fakeModel()
      .respondWithTools([{ name: "outlook_search", args: {}, id: "call_x" }])
      .respond(summarise);
    const agent = createAgent({ model, tools, middleware: [authGate] });
    const error = await agent
      .invoke({ messages: [{ role: "user", content: "Outlook?" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthRequiredError);
    expect(seen[0]?.connectUrl).toMatch(new RegExp(`^${server.url}/connect/cr_`));
  });

  it("list_connections reports the Google account and that Microsoft is not connected", async () => {
    const tools = await createScpTools({ client: createClient({ baseUrl: server.url, sessionToken }) });
    const list = tools.find((t) => t.name === "list_connections");
    const parsed = JSON.parse(String(await list?.invoke({})));
    expect(parsed.connections).toEqual([
      expect.objectContaining({ provider: "google", account: "alice@example.test" }),
    ]);
    expect(parsed.notConnected).toEqual(["microsoft"]);
  });
});
