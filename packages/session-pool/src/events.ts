import type { PoolLogger } from "./options";
import type { PoolEvent } from "./types";

export interface EventBus {
  emit(event: PoolEvent): void;
  on(listener: (event: PoolEvent) => void): () => void;
  clear(): void;
}

/**
 * Fire-and-forget fan-out: listeners run synchronously in registration order; one that throws
 * (or returns a rejected promise) is logged and never affects the caller or the other listeners.
 */
export function createEventBus(logger: PoolLogger): EventBus {
  const listeners = new Set<(event: PoolEvent) => void>();
  return {
    emit(event) {
      for (const listener of [...listeners]) {
        try {
          const result: unknown = listener(event);
          if (result instanceof Promise) {
            result.catch((error: unknown) =>
              logger.warn("event listener failed", { type: event.type, error: describe(error) }),
            );
          }
        } catch (error) {
          logger.warn("event listener failed", { type: event.type, error: describe(error) });
        }
      }
    },
    on(listener) {
      const wrapper = (event: PoolEvent) => listener(event);
      listeners.add(wrapper);
      return () => {
        listeners.delete(wrapper);
      };
    },
    clear() {
      listeners.clear();
    },
  };
}

/** A short, secret-free description of an error for logs: its name and code only. */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? `${error.name}(${code})` : error.name;
  }
  return typeof error;
}
