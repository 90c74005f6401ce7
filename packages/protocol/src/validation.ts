import type { z } from "zod";
import { ValidationError } from "./errors";

/** `body.scopes[0]` style path for an issue. */
export function formatIssuePath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  let out = prefix;
  for (const segment of path) {
    out += typeof segment === "number" ? `[${segment}]` : out ? `.${String(segment)}` : String(segment);
  }
  return out || "(root)";
}

/**
 * Parses `value` with `schema`, or throws a `ValidationError` whose `field` names the first bad
 * path and whose `errors` list every issue, so a caller sees exactly what to fix.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where = "body"): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const keys = issue.code === "unrecognized_keys" ? ((issue as { keys?: string[] }).keys ?? []) : [];
    const path = keys.length === 1 ? [...issue.path, keys[0] as string] : issue.path;
    return { field: formatIssuePath(where, path), message: issue.message };
  });
  const first = issues[0] ?? { field: where, message: "is invalid" };
  throw new ValidationError(`${first.field}: ${first.message}`, {
    field: first.field,
    extra: { errors: issues },
  });
}
