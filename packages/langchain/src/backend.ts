import type { ActionDescriptor, Connection, Session } from "@securecontext/protocol";
import type { ScpClient } from "@securecontext/sdk";

/**
 * What the tools need from SCP, bound to one session. {@link sdkBackend} implements it over HTTP;
 * an embedded implementation over `@securecontext/session-pool` can implement the same four calls.
 */
export interface ScpToolsBackend {
  /** Every action the server offers. */
  listActions(signal?: AbortSignal): Promise<ActionDescriptor[]>;
  /** The session the tools act in (user, connections, scopes). */
  currentSession(signal?: AbortSignal): Promise<Session>;
  /** The session's connections. */
  listConnections(signal?: AbortSignal): Promise<Connection[]>;
  /** Runs an action; rejects with the protocol's `ScpError`s (`AuthRequiredError`, …). */
  callAction(
    actionId: string,
    body: { input: unknown; connectionId?: string },
    signal?: AbortSignal,
  ): Promise<unknown>;
}

/** The tools' backend over an SDK client authenticated with a session token. */
export function sdkBackend(client: ScpClient): ScpToolsBackend {
  return {
    listActions: (signal) => client.actions.list({ signal }),
    currentSession: (signal) => client.sessions.current({ signal }),
    async listConnections(signal) {
      const out: Connection[] = [];
      for await (const connection of client.connections.listAll({ limit: 200 }, { signal }))
        out.push(connection);
      return out;
    },
    async callAction(actionId, body, signal) {
      return (await client.actions.call(actionId, body, { signal })).output;
    },
  };
}
