import { StoreError } from "@securecontext/protocol";
import type { PubSub } from "@securecontext/token-store";
import type { RedisClientLike, RedisSubscriberLike } from "./client";
import type { KeyLayout } from "./keys";
import { type RedisCaller, redactCredentials } from "./redis-call";

export interface RedisPubSub extends PubSub {
  /** Closes the subscriber connection this pub/sub created, if any. */
  close(): Promise<void>;
}

/**
 * PUBLISH on the shared client; SUBSCRIBE on one duplicated connection, opened on first subscribe
 * and re-subscribed by node-redis after reconnects. Delivery is at-most-once: messages published
 * while the subscriber is disconnected are lost.
 */
export function redisPubSub(
  client: RedisClientLike,
  call: RedisCaller,
  keys: KeyLayout,
  onError: (error: Error) => void,
): RedisPubSub {
  let subscriber: Promise<RedisSubscriberLike> | undefined;
  const connectSubscriber = () => {
    subscriber ??= (async () => {
      const connection = client.duplicate();
      connection.on("error", onError);
      try {
        await connection.connect();
      } catch (error) {
        subscriber = undefined;
        connection.destroy();
        throw new StoreError(
          `Redis subscribe failed: ${redactCredentials(error instanceof Error ? error.message : String(error))}`,
          { cause: error },
        );
      }
      return connection;
    })();
    return subscriber;
  };

  return {
    async publish(channel: string, message: string) {
      await call.command("publish", ["PUBLISH", keys.channel(channel), String(message)]);
    },
    async subscribe(channel: string, handler: (message: string) => void) {
      const connection = await connectSubscriber();
      const name = keys.channel(channel);
      const listener = (message: string) => {
        try {
          handler(message);
        } catch {
          // A failing subscriber must not break the connection or the other subscribers.
        }
      };
      try {
        await connection.subscribe(name, listener);
      } catch (error) {
        throw new StoreError(`Redis subscribe failed: ${redactCredentials((error as Error).message)}`, {
          cause: error,
        });
      }
      let active = true;
      return async () => {
        if (!active) return;
        active = false;
        if (connection.isOpen) await connection.unsubscribe(name, listener).catch(() => undefined);
      };
    },
    async close() {
      const pending = subscriber;
      subscriber = undefined;
      if (pending === undefined) return;
      const connection = await pending.catch(() => undefined);
      if (connection === undefined) return;
      await connection.close().catch(() => connection.destroy());
    },
  };
}
