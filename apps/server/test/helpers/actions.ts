import { expect } from "vitest";
import { api } from "./http";

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minimum?: number;
  default?: unknown;
}

/** The smallest input an action's JSON Schema accepts (required members only, simple values). */
export function minimalInput(schema: JsonSchema | undefined, overrides: Record<string, unknown> = {}) {
  const input: Record<string, unknown> = {};
  for (const name of schema?.required ?? []) {
    const property = schema?.properties?.[name] ?? {};
    const type = Array.isArray(property.type) ? property.type[0] : property.type;
    if (type === "string") input[name] = "";
    else if (type === "integer" || type === "number") input[name] = property.minimum ?? 1;
    else if (type === "boolean") input[name] = false;
    else if (type === "array") input[name] = [];
    else input[name] = {};
  }
  for (const [name, value] of Object.entries(overrides)) {
    if (schema?.properties && name in schema.properties) input[name] = value;
  }
  return input;
}

/** `GET /v1/actions` → the descriptor of one action (fails the test when absent). */
export async function describeAction(baseUrl: string, token: string, actionId: string) {
  const response = await api<{
    items: Array<{ id: string; inputSchema: JsonSchema; requiredScopes: string[] }>;
  }>(baseUrl, "GET", "/v1/actions", { token });
  expect(response.status, response.text).toBe(200);
  const action = response.json.items.find((item) => item.id === actionId);
  expect(action, `action ${actionId} listed`).toBeDefined();
  return action!;
}

/** Reads a streaming action body as NDJSON (or SSE `data:` lines) into parsed objects. */
export function parseStream(text: string, kind: "ndjson" | "sse"): unknown[] {
  if (kind === "ndjson") {
    return text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line));
  }
  const items: unknown[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).replace(/^ /, ""))
      .join("\n");
    if (data) items.push(JSON.parse(data));
  }
  return items;
}
