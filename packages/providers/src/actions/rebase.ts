import type { ActionDefinition } from "../types";

/**
 * Gives a provider's built-in actions to a provider registered under another id: `google.gmail.search`
 * becomes `work-google.gmail.search` with `providerId: "work-google"`, so two Google providers can
 * live in one registry without clashing action ids.
 */
export function rebaseActions(
  actions: readonly ActionDefinition[],
  fromId: string,
  toId: string,
): ActionDefinition[] {
  if (fromId === toId) return [...actions];
  return actions.map((action) => ({
    ...action,
    id: action.id.startsWith(`${fromId}.`) ? `${toId}${action.id.slice(fromId.length)}` : action.id,
    providerId: toId,
  }));
}
