import { describe, expect, it } from "vitest";
import { wireJsonSchemas } from "./index";

describe("JSON Schema export", () => {
  it("converts every wire object for the OpenAPI document", () => {
    const schemas = wireJsonSchemas();
    expect(Object.keys(schemas).length).toBeGreaterThan(25);
    const body = schemas.CreateSessionBody as {
      properties: Record<string, { minimum?: number }>;
      additionalProperties?: boolean;
      required?: string[];
    };
    expect(body.properties.ttlSeconds?.minimum).toBe(60);
    expect(body.additionalProperties).toBe(false);
    expect(body.required).toEqual(["userId"]);
    expect((schemas.Connection as { properties: Record<string, unknown> }).properties.status).toMatchObject({
      enum: ["active", "needs_reauth", "revoked"],
    });
  });
});
