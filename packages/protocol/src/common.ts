import { z } from "zod";

/** ISO 8601 timestamp with offset, as every wire timestamp is written. */
export const timestampSchema = z.iso.datetime({ offset: true });

/** A configured provider id: `google`, `microsoft`, `github`, `acme-sso`. */
export const providerIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_-]*$/, {
    message: "must be lowercase letters, digits, '-' or '_', starting with a letter",
  });

/** One OAuth scope token (RFC 6749 §3.3: printable ASCII except space, `"` and `\`). */
export const scopeSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, { message: "must be a single scope token without spaces" });

export const scopesSchema = z.array(scopeSchema).max(100);

/** The application's own id for a person. Opaque to SCP; no control characters. */
export const userIdSchema = z
  .string()
  .min(1)
  .max(256)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .regex(/^[^\x00-\x1F\x7F]+$/, { message: "must not contain control characters" });

/** An agent's identifier, chosen by the client (for example a marketplace slug). */
export const agentIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/, { message: "must be letters, digits and . _ : @ / -" });

/** An absolute http(s) URL. */
export const httpUrlSchema = z
  .url({ protocol: /^https?$/, message: "must be an absolute http(s) URL" })
  .max(2048);

/** An origin (`https://app.example.com`, no path, query or fragment). */
export const originSchema = httpUrlSchema.refine(
  (value) => {
    const url = new URL(value);
    return (url.pathname === "/" || url.pathname === "") && !url.search && !url.hash && !url.username;
  },
  { message: "must be an origin (scheme, host and optional port only)" },
);

/** A human-readable name. */
export const displayNameSchema = z.string().trim().min(1).max(200);

/** `?limit=&cursor=` of every list endpoint. */
export const listQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(512).optional(),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

/** `{ items, nextCursor }` envelope of every list endpoint. */
export function listSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export interface ListPage<T> {
  items: T[];
  nextCursor: string | null;
}
