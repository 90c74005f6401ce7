import { describe, expect, it } from "vitest";
import {
  agentManifestSchema,
  connectionSchema,
  createClientBodySchema,
  createConnectRequestBodySchema,
  createSessionBodySchema,
  createWebhookBodySchema,
  createWorkflowRunBodySchema,
  newId,
  parseOrThrow,
  ValidationError,
  webhookEventSchema,
  workflowTemplateSchema,
} from "./index";

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).field;
  }
  throw new Error("expected a ValidationError");
}

const connection = {
  id: newId("connection"),
  userId: "user-42",
  providerId: "google",
  clientId: newId("client"),
  account: { subject: "1093", email: "ada@example.com", name: "Ada" },
  scopes: ["openid", "https://www.googleapis.com/auth/gmail.readonly"],
  status: "needs_reauth",
  statusReason: { code: "refresh_token_revoked", hint: "Reconnect your Google account." },
  createdAt: "2026-12-04T10:00:00.000Z",
  updatedAt: "2026-12-04T10:05:00.000Z",
};

describe("wire schemas accept realistic objects", () => {
  it("connection", () => {
    expect(connectionSchema.parse(connection).status).toBe("needs_reauth");
  });

  it("session body fills the default TTL", () => {
    const body = parseOrThrow(createSessionBodySchema, {
      userId: "user-42",
      agentId: "inbox-triage",
      providerIds: ["google"],
      scopes: ["https://www.googleapis.com/auth/gmail.readonly"],
    });
    expect(body.ttlSeconds).toBe(3600);
  });

  it("connect request, client, webhook", () => {
    expect(() =>
      parseOrThrow(createConnectRequestBodySchema, {
        userId: "u",
        providerId: "microsoft",
        scopes: ["offline_access", "https://graph.microsoft.com/Mail.Read"],
        redirectUrl: "https://app.example.com/done?x=1",
      }),
    ).not.toThrow();
    expect(() =>
      parseOrThrow(createClientBodySchema, {
        name: "Acme agent",
        redirectOrigins: ["https://app.example.com"],
      }),
    ).not.toThrow();
    expect(() =>
      parseOrThrow(createWebhookBodySchema, {
        url: "https://hooks.example.com/scp",
        events: ["connection.created"],
      }),
    ).not.toThrow();
  });

  it("workflow template and run body", () => {
    const template = {
      id: newId("workflowTemplate"),
      name: "Inbox triage",
      version: "1.0.0",
      steps: [
        { id: "search", action: "google.gmail.search", with: { query: "{{ inputs.query }}" } },
        {
          id: "summarize",
          action: "transform",
          needs: ["search"],
          with: { value: "{{ steps.search.output }}" },
        },
      ],
      output: "{{ steps.summarize.output }}",
    };
    expect(workflowTemplateSchema.parse(template).steps).toHaveLength(2);
    expect(() => parseOrThrow(createWorkflowRunBodySchema, { template, input: {} })).not.toThrow();
  });

  it("agent manifest", () => {
    expect(
      agentManifestSchema.parse({
        slug: "inbox-triage",
        name: "Inbox triage",
        version: "1.2.0",
        description: "Sorts your inbox",
        publisher: { name: "Acme" },
        capabilities: ["email.read"],
        requires: [
          {
            providerId: "google",
            scopes: ["https://www.googleapis.com/auth/gmail.readonly"],
            why: "Reads mail",
          },
        ],
        tags: ["email"],
      }).slug,
    ).toBe("inbox-triage");
  });

  it("webhook event", () => {
    expect(
      webhookEventSchema.parse({
        id: newId("event"),
        type: "connection.created",
        createdAt: "2026-12-04T10:00:00Z",
        data: { connectionId: connection.id },
      }).type,
    ).toBe("connection.created");
  });
});

describe("wire schemas reject malformed input with a useful path", () => {
  it("wrong id prefix", () => {
    expect(
      fieldOf(() =>
        parseOrThrow(createSessionBodySchema, { userId: "u", connectionIds: [newId("session")] }),
      ),
    ).toBe("body.connectionIds[0]");
  });

  it("unknown field is named", () => {
    expect(fieldOf(() => parseOrThrow(createSessionBodySchema, { userId: "u", admin: true }))).toBe(
      "body.admin",
    );
  });

  it("bad URL", () => {
    expect(
      fieldOf(() =>
        parseOrThrow(createConnectRequestBodySchema, {
          userId: "u",
          providerId: "google",
          redirectUrl: "javascript:alert(1)",
        }),
      ),
    ).toBe("body.redirectUrl");
    expect(
      fieldOf(() =>
        parseOrThrow(createClientBodySchema, { name: "x", redirectOrigins: ["https://a.example/path"] }),
      ),
    ).toBe("body.redirectOrigins[0]");
  });

  it("scopes not an array, or a scope with a space", () => {
    expect(
      fieldOf(() =>
        parseOrThrow(createConnectRequestBodySchema, { userId: "u", providerId: "google", scopes: "openid" }),
      ),
    ).toBe("body.scopes");
    expect(
      fieldOf(() =>
        parseOrThrow(createConnectRequestBodySchema, {
          userId: "u",
          providerId: "google",
          scopes: ["openid email"],
        }),
      ),
    ).toBe("body.scopes[0]");
  });

  it("TTL out of range", () => {
    expect(fieldOf(() => parseOrThrow(createSessionBodySchema, { userId: "u", ttlSeconds: 59 }))).toBe(
      "body.ttlSeconds",
    );
    expect(fieldOf(() => parseOrThrow(createSessionBodySchema, { userId: "u", ttlSeconds: 86_401 }))).toBe(
      "body.ttlSeconds",
    );
  });

  it("oversized strings", () => {
    expect(fieldOf(() => parseOrThrow(createSessionBodySchema, { userId: "u".repeat(257) }))).toBe(
      "body.userId",
    );
    expect(fieldOf(() => parseOrThrow(createClientBodySchema, { name: "n".repeat(201) }))).toBe("body.name");
  });

  it("control characters in a user id", () => {
    expect(fieldOf(() => parseOrThrow(createSessionBodySchema, { userId: "a\nb" }))).toBe("body.userId");
  });

  it("workflow steps that need an unknown step or repeat an id", () => {
    const base = { id: newId("workflowTemplate"), name: "x", version: "1", output: null };
    expect(
      workflowTemplateSchema.safeParse({
        ...base,
        steps: [{ id: "a", action: "transform", needs: ["nope"] }],
      }).error?.issues[0]?.path,
    ).toEqual(["steps", 0, "needs", 0]);
    expect(
      workflowTemplateSchema.safeParse({
        ...base,
        steps: [
          { id: "a", action: "transform" },
          { id: "a", action: "transform" },
        ],
      }).error?.issues[0]?.path,
    ).toEqual(["steps", 1, "id"]);
  });

  it("manifest with a non-semver version", () => {
    const result = agentManifestSchema.safeParse({
      slug: "x1",
      name: "x",
      version: "latest",
      description: "d",
      publisher: { name: "p" },
      capabilities: [],
      requires: [],
      tags: [],
    });
    expect(result.error?.issues[0]?.path).toEqual(["version"]);
  });
});
