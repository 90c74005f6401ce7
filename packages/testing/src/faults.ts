import type { Fault } from "./types";

/** A queue of injected faults per target; each fault applies to its next `count` requests. */
export interface FaultQueue {
  add(fault: Fault): void;
  /** Takes one use of the oldest fault for `target`, if any. */
  take<T extends Fault["target"]>(target: T): Extract<Fault, { target: T }> | undefined;
  clear(): void;
}

export function createFaultQueue(): FaultQueue {
  const queue: Array<{ fault: Fault; remaining: number }> = [];
  return {
    add(fault) {
      const count = fault.count ?? 1;
      if (!Number.isInteger(count) || count < 1)
        throw new RangeError("fault count must be a positive integer");
      queue.push({ fault: structuredClone(fault), remaining: count });
    },
    take(target) {
      const index = queue.findIndex((entry) => entry.fault.target === target);
      if (index < 0) return undefined;
      const entry = queue[index]!;
      entry.remaining -= 1;
      if (entry.remaining <= 0) queue.splice(index, 1);
      return entry.fault as Extract<Fault, { target: typeof target }>;
    },
    clear() {
      queue.length = 0;
    },
  };
}
