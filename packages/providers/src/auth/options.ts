import type { Account } from "@securecontext/protocol";
import type { ActionDefinition, FailureClassification } from "../types";
import type { ClientCredentialsOptions, TransportOptions } from "./configuration";

/** Options every provider factory shares: who SCP is at the provider, and what the provider offers. */
export interface ProviderBaseOptions extends ClientCredentialsOptions, TransportOptions {
  /** Provider id in SCP (`google`, `acme-sso`, …); lowercase, digits, `-`, `_`. */
  id?: string;
  /** Name shown on consent pages. */
  displayName?: string;
  /** Scopes always requested. */
  defaultScopes?: string[];
  /** Additional scopes offered (discovery, consent page). */
  scopes?: string[];
  /** One plain-language line per scope, for the consent page. */
  scopeDescriptions?: Record<string, string>;
  /** Proxy allow-list; the first entry is the primary API base URL. */
  apiBaseUrls?: string[];
  /** Typed actions on this provider's APIs. */
  actions?: ActionDefinition[];
  /** Extra authorization request parameters (for example `prompt`, `hd`, `audience`). */
  authorizationParams?: Record<string, string>;
  /** Maps a userinfo response to the account. Default: `sub` (or `id`), `email`, `name`. */
  identityFromUserinfo?: (body: Record<string, unknown>) => Account;
  /** Replaces the default failure classification. */
  classifyError?: (error: unknown) => FailureClassification;
  /** Clock for `obtainedAt` / `expiresAt` (epoch ms). Default `Date.now`. */
  now?: () => number;
}
