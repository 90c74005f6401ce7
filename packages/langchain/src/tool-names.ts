/** OpenAI, Anthropic and Gemini accept tool names matching this. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

function sanitize(value: string): string {
  return value
    .replace(/[^a-zA-Z0-9_-]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "")
    .slice(0, 64);
}

/** Product names models know better than the API's (`outlook_search` beats `mail_search`). */
const PRODUCT_ALIASES: Readonly<Record<string, string>> = {
  "microsoft.mail": "outlook",
  "microsoft.drive": "onedrive",
};

function shortName(id: string): string {
  const parts = id.split(".");
  const alias = PRODUCT_ALIASES[parts.slice(0, 2).join(".")];
  if (alias) return sanitize([alias, ...parts.slice(2)].join("_"));
  return sanitize(parts.slice(1).join("_") || id);
}

/**
 * Tool names for action ids a model can call: the provider prefix dropped and dots replaced
 * (`google.gmail.search` → `gmail_search`; Microsoft mail and drive use the product names
 * `outlook_search`, `onedrive_search`); when two actions would collide, both keep their provider
 * (`google_calendar_events`, `microsoft_calendar_events`).
 */
export function toolNamesFor(actionIds: readonly string[]): Map<string, string> {
  const short = new Map<string, string>();
  const counts = new Map<string, number>();
  for (const id of actionIds) {
    const name = shortName(id);
    short.set(id, name);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const names = new Map<string, string>();
  for (const id of actionIds) {
    const candidate = short.get(id) as string;
    const name = (counts.get(candidate) ?? 0) > 1 || candidate === "" ? sanitize(id) : candidate;
    if (!TOOL_NAME.test(name))
      throw new Error(`Cannot derive a tool name from action id ${JSON.stringify(id)}`);
    names.set(id, name);
  }
  return names;
}
