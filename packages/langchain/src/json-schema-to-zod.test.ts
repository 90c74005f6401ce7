import { describe, expect, it } from "vitest";
import { convertJsonSchema, jsonSchemaToZod } from "./json-schema-to-zod";

const gmailSearch = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  properties: {
    query: { default: "", description: "Search text", type: "string", maxLength: 20 },
    maxResults: { default: 25, type: "integer", minimum: 1, maximum: 100 },
    labels: { type: "array", items: { type: "string" }, maxItems: 2 },
    order: { enum: ["asc", "desc"] },
    until: { type: ["string", "null"] },
  },
  required: [],
  additionalProperties: false,
};

describe.each([
  ["z.fromJSONSchema", jsonSchemaToZod],
  ["subset converter", convertJsonSchema],
])("%s", (_name, convert) => {
  const schema = convert(gmailSearch);

  it("applies defaults and accepts valid input", () => {
    expect(schema.parse({})).toEqual({ query: "", maxResults: 25 });
    expect(schema.parse({ query: "invoice", labels: ["a"], order: "asc", until: null })).toMatchObject({
      query: "invoice",
      order: "asc",
      until: null,
    });
  });

  it("rejects wrong types, bounds, enums and unknown keys", () => {
    for (const bad of [
      { query: 5 },
      { query: "x".repeat(21) },
      { maxResults: 0 },
      { maxResults: 1.5 },
      { labels: ["a", "b", "c"] },
      { order: "sideways" },
      { userId: "someone-else" },
    ]) {
      expect(schema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("enforces required properties", () => {
    const get = convert({
      type: "object",
      properties: { id: { type: "string", minLength: 1 } },
      required: ["id"],
      additionalProperties: false,
    });
    expect(get.safeParse({}).success).toBe(false);
    expect(get.safeParse({ id: "" }).success).toBe(false);
    expect(get.parse({ id: "m1" })).toEqual({ id: "m1" });
  });
});
