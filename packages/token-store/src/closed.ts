import { StoreError } from "@securecontext/protocol";

/** A guard that makes every call after `close()` fail with `StoreError`. */
export function closeGuard(name: string): { check(): void; close(): boolean } {
  let closed = false;
  return {
    check() {
      if (closed) throw new StoreError(`${name} is closed`);
    },
    /** Marks closed; false when it already was. */
    close() {
      const was = closed;
      closed = true;
      return !was;
    },
  };
}
