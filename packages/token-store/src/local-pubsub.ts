import type { PubSub } from "./types";

/** In-process pub/sub with a `clear()` for close. */
export interface LocalPubSub extends PubSub {
  clear(): void;
}

/**
 * Pub/sub inside one process: messages reach every handler subscribed in this process on a later
 * microtask, never another process. A handler that throws does not stop delivery to the others.
 */
export function localPubSub(check: () => void = () => {}): LocalPubSub {
  const channels = new Map<string, Set<(message: string) => void>>();
  return {
    async publish(channel: string, message: string) {
      check();
      const handlers = channels.get(channel);
      if (handlers === undefined) return;
      for (const handler of [...handlers]) {
        queueMicrotask(() => {
          try {
            handler(message);
          } catch {
            // A failing subscriber must not break the publisher or the other subscribers.
          }
        });
      }
    },
    async subscribe(channel: string, handler: (message: string) => void) {
      check();
      // A fresh wrapper per subscription, so subscribing one function twice needs two unsubscribes.
      const wrapper = (message: string) => handler(message);
      let handlers = channels.get(channel);
      if (handlers === undefined) {
        handlers = new Set();
        channels.set(channel, handlers);
      }
      handlers.add(wrapper);
      return async () => {
        const current = channels.get(channel);
        current?.delete(wrapper);
        if (current?.size === 0) channels.delete(channel);
      };
    },
    clear() {
      channels.clear();
    },
  };
}
