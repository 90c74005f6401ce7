import type { EventBus } from "./events";
import type { KeyLayout } from "./keys";
import type { ResolvedOptions } from "./options";
import type { GuardedBackend } from "./store-guard";
import type { TokenSetCache } from "./token-set-cache";

/** What every service of one pool shares. */
export interface PoolContext {
  options: ResolvedOptions;
  keys: KeyLayout;
  /** Records (token sets and OAuth state encrypted), locks, counters, pub/sub; failures are `StoreError`s. */
  store: GuardedBackend;
  events: EventBus;
  /** Memo of decrypted token sets, checked against the stored ciphertext on every read. */
  tokenSets?: TokenSetCache;
}
