import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeAction, minimalInput } from "./helpers/actions";
import { uniq } from "./helpers/env";
import { connect, createClient, createSession } from "./helpers/flows";
import { api } from "./helpers/http";
import { startTestServer, type TestServer } from "./helpers/server";

/** Core: Microsoft Graph scopes work in the short and the full-URL spelling alike. */

const FULL_MAIL_READ = "https://graph.microsoft.com/Mail.Read";

let server: TestServer;
let client: { id: string; apiKey: string };

beforeAll(async () => {
  server = await startTestServer();
  client = await createClient(server.url, server.adminKey, { name: "Scopes" });
});

afterAll(async () => {
  await server?.close();
});

describe("core: Microsoft scope spellings", () => {
  it("connects, narrows and runs actions with full-URL Graph scopes", async () => {
    const userId = uniq("graph-full-");
    const { connectionId } = await connect(server.url, client.apiKey, userId, "microsoft", {
      scopes: [FULL_MAIL_READ],
    });
    const connection = await api<{ scopes: string[] }>(server.url, "GET", `/v1/connections/${connectionId}`, {
      token: client.apiKey,
    });
    expect(connection.json.scopes).toContain("Mail.Read");
    expect(connection.json.scopes).not.toContain(FULL_MAIL_READ);

    const session = await createSession(server.url, client.apiKey, {
      userId,
      connectionIds: [connectionId],
      scopes: [FULL_MAIL_READ, "https://graph.microsoft.com/Calendars.Read"],
    });
    expect(session.scopes).toEqual(["Mail.Read"]);
    const action = await describeAction(server.url, session.token, "microsoft.mail.search");
    const called = await api(server.url, "POST", "/v1/actions/microsoft.mail.search", {
      token: session.token,
      body: { input: minimalInput(action.inputSchema as never) },
    });
    expect(called.status, called.text).toBe(200);
    // A scope it lacks, in either spelling, is still missing: the connect URL asks for the short form.
    const calendar = await describeAction(server.url, session.token, "microsoft.calendar.events");
    const missing = await api<{ code: string; missingScopes?: string[] }>(
      server.url,
      "POST",
      "/v1/actions/microsoft.calendar.events",
      { token: client.apiKey, body: { userId, input: minimalInput(calendar.inputSchema as never) } },
    );
    expect(missing.status, missing.text).toBe(403);
    expect(missing.json.code).toBe("insufficient_scope");
    expect(missing.json.missingScopes).toEqual(["Calendars.Read"]);
  });
});
