import { actionIdSchema, ConfigError, NotFoundError, providerIdSchema } from "@securecontext/protocol";
import type { ActionDefinition, OAuthProvider } from "./types";

/**
 * Checks a provider before it is registered: a valid id, a display name, action ids that are
 * well-formed, unique and owned by this provider, and an API base URL when it has actions.
 * Returns the same provider, so a provider file can `export default defineProvider(...)`.
 */
export function defineProvider<P extends OAuthProvider>(provider: P): P {
  const id = providerIdSchema.safeParse(provider.id);
  if (!id.success)
    throw new ConfigError(`provider id "${provider.id}" is invalid: ${id.error.issues[0]?.message}`, {
      field: "id",
    });
  if (!provider.displayName)
    throw new ConfigError(`provider ${provider.id} needs a displayName`, { field: "displayName" });
  const seen = new Set<string>();
  for (const action of provider.actions) {
    if (!actionIdSchema.safeParse(action.id).success) {
      throw new ConfigError(
        `action id "${action.id}" of provider ${provider.id} must be dotted, like ${provider.id}.mail.search`,
      );
    }
    if (action.providerId !== provider.id) {
      throw new ConfigError(
        `action ${action.id} belongs to provider ${action.providerId}, not ${provider.id}`,
      );
    }
    if (seen.has(action.id))
      throw new ConfigError(`provider ${provider.id} declares action ${action.id} twice`);
    seen.add(action.id);
  }
  if (provider.actions.length > 0 && provider.apiBaseUrls.length === 0) {
    throw new ConfigError(`provider ${provider.id} has actions but no apiBaseUrls`, { field: "apiBaseUrls" });
  }
  return provider;
}

/** Providers by id, and their actions by id. */
export interface ProviderRegistry {
  /** The provider with this id, or undefined. */
  get(id: string): OAuthProvider | undefined;
  /** The provider with this id; throws `NotFoundError` when there is none. */
  require(id: string): OAuthProvider;
  has(id: string): boolean;
  /** Every provider, in registration order. */
  list(): OAuthProvider[];
  /** Every action of every provider. */
  actions(): ActionDefinition[];
  /** The action with this id (its `providerId` names its provider), or undefined. */
  findAction(id: string): ActionDefinition | undefined;
}

/** Builds a registry; duplicate provider ids or action ids are a `ConfigError`. */
export function createProviderRegistry(providers: Iterable<OAuthProvider>): ProviderRegistry {
  const byId = new Map<string, OAuthProvider>();
  const actionsById = new Map<string, ActionDefinition>();
  for (const provider of providers) {
    defineProvider(provider);
    if (byId.has(provider.id))
      throw new ConfigError(`provider id "${provider.id}" is registered twice`, { field: "id" });
    byId.set(provider.id, provider);
    for (const action of provider.actions) {
      if (actionsById.has(action.id)) throw new ConfigError(`action id "${action.id}" is registered twice`);
      actionsById.set(action.id, action);
    }
  }
  return {
    get: (id) => byId.get(id),
    require(id) {
      const provider = byId.get(id);
      if (!provider) throw new NotFoundError(`no provider "${id}" is configured`);
      return provider;
    },
    has: (id) => byId.has(id),
    list: () => [...byId.values()],
    actions: () => [...actionsById.values()],
    findAction: (id) => actionsById.get(id),
  };
}
