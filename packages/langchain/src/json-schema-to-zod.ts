import { z } from "zod";

/** A JSON Schema document (the subset action descriptors use). */
export type JsonSchema = Record<string, unknown>;

type FromJsonSchema = (schema: JsonSchema) => z.ZodType;

function asRecord(value: unknown): JsonSchema | undefined {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as JsonSchema) : undefined;
}

function describe<T extends z.ZodType>(schema: T, source: JsonSchema): T {
  return typeof source.description === "string" ? (schema.describe(source.description) as T) : schema;
}

function literalUnion(values: unknown[]): z.ZodType {
  const literals = values.filter(
    (value): value is string | number | boolean | null =>
      value === null || ["string", "number", "boolean"].includes(typeof value),
  );
  if (literals.length === 0) return z.never();
  if (literals.every((value) => typeof value === "string")) return z.enum(literals as [string, ...string[]]);
  const schemas: z.ZodType[] = literals.map((value) => z.literal(value));
  return schemas.length === 1
    ? (schemas[0] as z.ZodType)
    : z.union(schemas as [z.ZodType, z.ZodType, ...z.ZodType[]]);
}

function stringSchema(source: JsonSchema): z.ZodType {
  let schema = z.string();
  if (typeof source.minLength === "number") schema = schema.min(source.minLength);
  if (typeof source.maxLength === "number") schema = schema.max(source.maxLength);
  if (typeof source.pattern === "string") schema = schema.regex(new RegExp(source.pattern));
  return schema;
}

function numberSchema(source: JsonSchema, integer: boolean): z.ZodType {
  let schema = integer ? z.number().int() : z.number();
  if (typeof source.minimum === "number") schema = schema.min(source.minimum);
  if (typeof source.maximum === "number") schema = schema.max(source.maximum);
  if (typeof source.exclusiveMinimum === "number") schema = schema.gt(source.exclusiveMinimum);
  if (typeof source.exclusiveMaximum === "number") schema = schema.lt(source.exclusiveMaximum);
  return schema;
}

/**
 * A small JSON Schema → zod converter for the subset action descriptors use: `object` (properties,
 * required, additionalProperties), `string` (min/maxLength, pattern), `number` / `integer`
 * (bounds), `boolean`, `array` (items, min/maxItems), `enum`, `const`, `anyOf` / `oneOf`, nullable
 * type arrays, `default` and `description`. Anything else becomes `z.unknown()` (accepted as is;
 * the server validates again).
 */
export function convertJsonSchema(source: JsonSchema): z.ZodType {
  let schema: z.ZodType;
  const types = Array.isArray(source.type) ? (source.type as unknown[]) : [source.type];
  const nullable = types.includes("null") && types.length > 1;
  const type = types.find((entry) => entry !== "null");
  if (Array.isArray(source.enum)) schema = literalUnion(source.enum);
  else if ("const" in source) schema = literalUnion([source.const]);
  else if (Array.isArray(source.anyOf) || Array.isArray(source.oneOf)) {
    const options = ((source.anyOf ?? source.oneOf) as unknown[])
      .map(asRecord)
      .filter((entry): entry is JsonSchema => entry !== undefined)
      .map(convertJsonSchema);
    schema =
      options.length === 0
        ? z.unknown()
        : options.length === 1
          ? (options[0] as z.ZodType)
          : z.union(options as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  } else if (type === "object" || (type === undefined && asRecord(source.properties))) {
    const properties = asRecord(source.properties) ?? {};
    const required = new Set(Array.isArray(source.required) ? (source.required as string[]) : []);
    const shape: Record<string, z.ZodType> = {};
    for (const [key, value] of Object.entries(properties)) {
      const child = convertJsonSchema(asRecord(value) ?? {});
      shape[key] = required.has(key) || "default" in (asRecord(value) ?? {}) ? child : child.optional();
    }
    const additional = source.additionalProperties;
    schema =
      additional === false
        ? z.strictObject(shape)
        : asRecord(additional)
          ? z.object(shape).catchall(convertJsonSchema(additional as JsonSchema))
          : z.looseObject(shape);
  } else if (type === "array") {
    let array = z.array(convertJsonSchema(asRecord(source.items) ?? {}));
    if (typeof source.minItems === "number") array = array.min(source.minItems);
    if (typeof source.maxItems === "number") array = array.max(source.maxItems);
    schema = array;
  } else if (type === "string") schema = stringSchema(source);
  else if (type === "number" || type === "integer") schema = numberSchema(source, type === "integer");
  else if (type === "boolean") schema = z.boolean();
  else if (type === "null") schema = z.null();
  else schema = z.unknown();
  if (nullable) schema = schema.nullable();
  if ("default" in source && source.default !== undefined) schema = schema.default(source.default as never);
  return describe(schema, source);
}

/**
 * Zod schema for an action's JSON Schema: zod's own `z.fromJSONSchema` when the installed zod has
 * it (4.2+), else {@link convertJsonSchema}. The result always accepts an object at the top level.
 */
export function jsonSchemaToZod(source: JsonSchema): z.ZodType {
  const native = (z as unknown as { fromJSONSchema?: FromJsonSchema }).fromJSONSchema;
  if (typeof native === "function") {
    try {
      return native(source);
    } catch {
      // Fall through to the subset converter for schemas zod cannot read.
    }
  }
  return convertJsonSchema(source);
}
