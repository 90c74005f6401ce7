import type { EventBus } from "./events";
import type { KeyLayout } from "./keys";
import type { ResolvedOptions } from "./options";
import type { GuardedBackend } from "./store-guard";

/** What every service of one pool shares. */
export interface PoolContext {
  options: ResolvedOptions;
  keys: KeyLayout;
  /** Records (token sets and OAuth state encrypted), locks, counters, pub/sub; failures are `StoreError`s. */
  store: GuardedBackend;
  events: EventBus;
}
