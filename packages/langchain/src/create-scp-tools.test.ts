import { ToolMessage } from "@langchain/core/messages";
import {
  type ActionDescriptor,
  AuthRequiredError,
  type Connection,
  ReauthRequiredError,
  type Session,
  UnauthorizedError,
} from "@securecontext/protocol";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { ScpToolsBackend } from "./backend";
import { createScpTools } from "./create-scp-tools";

// Unit tests over an in-memory backend; the real server is exercised in test/*.int.test.ts.
const searchSchema = {
  type: "object",
  properties: {
    query: { type: "string", default: "" },
    maxResults: { type: "integer", minimum: 1, maximum: 100 },
  },
  additionalProperties: false,
};
const action = (id: string, providerId: string, scope: string): ActionDescriptor => ({
  id,
  providerId,
  title: id,
  description: `Does ${id}.`,
  requiredScopes: [scope],
  inputSchema: searchSchema,
  outputSchema: {},
});
const connection = (id: string, providerId: string, email: string, scopes: string[]): Connection => ({
  id,
  userId: "u_1",
  providerId,
  clientId: null,
  account: { subject: id, email },
  scopes,
  status: "active",
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
});

function fakeBackend(connections: Connection[], overrides: Partial<ScpToolsBackend> = {}) {
  const calls: { actionId: string; body: unknown }[] = [];
  const session: Session = {
    id: "ses_0123456789012345678901",
    userId: "u_1",
    agentId: null,
    clientId: null,
    connectionIds: connections.map((c) => c.id),
    scopes: connections.flatMap((c) => c.scopes),
    allowTokenAccess: false,
    createdAt: "2025-01-01T00:00:00.000Z",
    expiresAt: "2025-01-01T01:00:00.000Z",
  };
  const backend: ScpToolsBackend = {
    listActions: async () => [
      action("google.gmail.search", "google", "gmail.read"),
      action("microsoft.mail.search", "microsoft", "Mail.Read"),
    ],
    currentSession: async () => session,
    listConnections: async () => connections,
    callAction: async (actionId, body) => {
      calls.push({ actionId, body });
      if (actionId.startsWith("microsoft.")) {
        throw new AuthRequiredError("no microsoft connection", {
          connectUrl: "http://scp.test/connect/cr_abc",
          providerId: "microsoft",
        });
      }
      return { messages: [{ subject: "Invoice 42" }] };
    },
    ...overrides,
  };
  return { backend, calls };
}

const google = connection("con_g1", "google", "alice@example.test", ["gmail.read"]);

describe("createScpTools", () => {
  it("creates one tool per action plus list_connections, with model-friendly names", async () => {
    const tools = await createScpTools({ backend: fakeBackend([google]).backend });
    expect(tools.map((t) => t.name)).toEqual(["gmail_search", "outlook_search", "list_connections"]);
    expect(tools[0]?.description).toContain("alice@example.test");
    expect(tools[1]?.description).toContain("has not connected");
    expect(tools[0]?.metadata).toMatchObject({ scpActionId: "google.gmail.search" });
    const only = await createScpTools(
      { backend: fakeBackend([google]).backend },
      { actions: ["google.gmail.search"] },
    );
    expect(only.map((t) => t.name)).toEqual(["gmail_search", "list_connections"]);
    await expect(
      createScpTools({ backend: fakeBackend([]).backend }, { actions: ["nope.x"] }),
    ).rejects.toThrow(/Unknown SCP action/);
  });

  it("never exposes a user or session id parameter", async () => {
    const tools = await createScpTools({ backend: fakeBackend([google]).backend });
    expect(JSON.stringify(z.toJSONSchema(tools[0]?.schema as z.ZodType))).toContain('"maxResults"');
    for (const t of tools)
      expect(JSON.stringify(z.toJSONSchema(t.schema as z.ZodType))).not.toMatch(/userId|session/i);
  });

  it("runs the action and returns JSON content with the output as artifact", async () => {
    const { backend, calls } = fakeBackend([google]);
    const [gmail] = await createScpTools({ backend });
    const message = await gmail?.invoke({
      type: "tool_call",
      id: "call_1",
      name: "gmail_search",
      args: { query: "invoice" },
    });
    expect(message).toBeInstanceOf(ToolMessage);
    expect((message as ToolMessage).content).toContain("Invoice 42");
    expect((message as ToolMessage).artifact).toEqual({ messages: [{ subject: "Invoice 42" }] });
    expect(calls).toEqual([{ actionId: "google.gmail.search", body: { input: { query: "invoice" } } }]);
  });

  it("returns invalid input to the model as a message, without calling SCP", async () => {
    const { backend, calls } = fakeBackend([google]);
    const [gmail] = await createScpTools({ backend });
    const message = (await gmail?.invoke({
      type: "tool_call",
      id: "call_2",
      name: "gmail_search",
      args: { query: 42, maxResults: 500 },
    })) as ToolMessage;
    expect(message).toBeInstanceOf(ToolMessage);
    expect(message.status).toBe("error");
    expect(message.tool_call_id).toBe("call_2");
    expect(message.content).toMatch(/^INVALID_INPUT/);
    expect(message.content).toContain("query");
    expect(message.content).toContain("maxResults");
    const direct = await gmail?.invoke({ query: 42 } as never);
    expect(direct).toMatch(/^INVALID_INPUT/);
    expect(calls).toEqual([]);
  });

  it("answers with the connect URL when the provider is not connected (default)", async () => {
    const [, outlook] = await createScpTools({ backend: fakeBackend([google]).backend });
    const message = (await outlook?.invoke({
      type: "tool_call",
      id: "c",
      name: "outlook_search",
      args: {},
    })) as ToolMessage;
    expect(message.content).toMatch(/^AUTH_REQUIRED/);
    expect(message.content).toContain("http://scp.test/connect/cr_abc");
    expect(message.content).toContain("Microsoft");
  });

  it("throws AuthRequiredError / ReauthRequiredError with onAuthRequired: 'throw'", async () => {
    const [, outlook] = await createScpTools(
      { backend: fakeBackend([google]).backend },
      { onAuthRequired: "throw" },
    );
    const error = await outlook?.invoke({ query: "" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthRequiredError);
    expect((error as AuthRequiredError).connectUrl).toBe("http://scp.test/connect/cr_abc");

    const reauth = fakeBackend([google], {
      callAction: async () => {
        throw new ReauthRequiredError("expired", {
          reason: "refresh_token_expired",
          connectUrl: "http://scp.test/connect/cr_r",
        });
      },
    });
    const [gmail] = await createScpTools({ backend: reauth.backend });
    expect(await gmail?.invoke({})).toMatch(/REAUTH_REQUIRED.*refresh token expired.*cr_r/s);
  });

  it("lets session-level failures propagate (the app must handle an expired session)", async () => {
    const expired = fakeBackend([google], {
      callAction: async () => {
        throw new UnauthorizedError("session expired");
      },
    });
    const [gmail] = await createScpTools({ backend: expired.backend });
    await expect(gmail?.invoke({})).rejects.toBeInstanceOf(UnauthorizedError);
    const noSession = fakeBackend([], {
      currentSession: async () => {
        throw new UnauthorizedError("bad token");
      },
    });
    await expect(createScpTools({ backend: noSession.backend })).rejects.toThrow(/needs a session token/);
  });

  it("offers a connectionId choice only when the user has several accounts of a provider", async () => {
    const second = connection("con_g2", "google", "alice.work@example.test", ["gmail.read"]);
    const { backend, calls } = fakeBackend([google, second]);
    const [gmail] = await createScpTools({ backend });
    expect(JSON.stringify(z.toJSONSchema(gmail?.schema as z.ZodType))).toContain("con_g2");
    await gmail?.invoke({ query: "x", connectionId: "con_g2" });
    expect(calls[0]).toEqual({
      actionId: "google.gmail.search",
      body: { input: { query: "x" }, connectionId: "con_g2" },
    });
    const bad = await gmail?.invoke({ connectionId: "con_someone_else" });
    expect(bad).toMatch(/^INVALID_INPUT/);
  });

  it("list_connections shows accounts and providers not connected yet", async () => {
    const tools = await createScpTools({ backend: fakeBackend([google]).backend });
    const list = tools.find((t) => t.name === "list_connections");
    const content = (await list?.invoke({})) as string;
    expect(JSON.parse(content)).toEqual({
      connections: [
        {
          id: "con_g1",
          provider: "google",
          account: "alice@example.test",
          status: "active",
          scopes: ["gmail.read"],
        },
      ],
      notConnected: ["microsoft"],
    });
  });

  it("truncates huge outputs", async () => {
    const big = fakeBackend([google], { callAction: async () => ({ text: "x".repeat(5000) }) });
    const [gmail] = await createScpTools({ backend: big.backend }, { maxOutputChars: 100 });
    const content = (await gmail?.invoke({})) as string;
    expect(content.length).toBeLessThan(200);
    expect(content).toContain("truncated");
  });
});
