import { ScpError, StoreError } from "@securecontext/protocol";
import type { RedisClientLike } from "./client";
import type { LuaScript } from "./scripts";

/** Runs commands with a deadline and turns every failure into `StoreError`. */
export interface RedisCaller {
  command<T>(what: string, args: string[]): Promise<T>;
  script<T>(what: string, script: LuaScript, keys: string[], args: string[]): Promise<T>;
}

/** Removes credentials from URLs inside a message (`redis://user:secret@host` → `redis://***@host`). */
export function redactCredentials(message: string): string {
  return message.replace(/([a-z][a-z0-9+.-]*:\/\/)[^@\s/]*@/gi, "$1***@");
}

export function redisCaller(client: RedisClientLike, check: () => void, timeoutMs: number): RedisCaller {
  const fail = (what: string, error: unknown): never => {
    if (error instanceof ScpError) throw error;
    const message = redactCredentials(error instanceof Error ? error.message : String(error));
    throw new StoreError(`Redis ${what} failed: ${message}`, { cause: error });
  };
  const send = async <T>(what: string, args: string[]): Promise<T> => {
    check();
    // Fail fast while disconnected instead of queueing until a reconnect that may never come.
    if (!client.isReady) throw new StoreError(`Redis ${what} failed: the client is not connected`);
    try {
      return await client.sendCommand<T>(args, { timeout: timeoutMs });
    } catch (error) {
      return fail(what, error);
    }
  };
  return {
    command: send,
    async script<T>(what: string, script: LuaScript, keys: string[], args: string[]) {
      const tail = [String(keys.length), ...keys, ...args];
      try {
        return await send<T>(what, ["EVALSHA", script.sha, ...tail]);
      } catch (error) {
        const cause = error instanceof StoreError ? error.cause : error;
        if (!(cause instanceof Error) || !cause.message.startsWith("NOSCRIPT")) throw error;
        return send<T>(what, ["EVAL", script.source, ...tail]);
      }
    },
  };
}
