import { z } from "zod";
import { providerIdSchema, userIdSchema } from "./common";
import { connectionIdSchema } from "./ids";

/** A dotted action id: `google.gmail.search`. */
export const actionIdSchema = z
  .string()
  .min(3)
  .max(128)
  .regex(/^[a-z][a-z0-9_-]*(\.[a-z][a-zA-Z0-9_-]*)+$/, {
    message: "must be a dotted action id like google.gmail.search",
  });

/** A JSON Schema document (as produced by `z.toJSONSchema`). */
export const jsonSchemaObjectSchema = z.record(z.string(), z.unknown());

/** `GET /v1/actions` item. */
export const actionDescriptorSchema = z.object({
  id: actionIdSchema,
  providerId: providerIdSchema,
  title: z.string(),
  description: z.string(),
  requiredScopes: z.array(z.string()),
  inputSchema: jsonSchemaObjectSchema,
  outputSchema: jsonSchemaObjectSchema,
});
export type ActionDescriptor = z.infer<typeof actionDescriptorSchema>;

/** `POST /v1/actions/:actionId` body. */
export const actionCallBodySchema = z.strictObject({
  connectionId: connectionIdSchema.optional(),
  userId: userIdSchema.optional(),
  input: z.unknown().default({}),
});
export type ActionCallBody = z.input<typeof actionCallBodySchema>;

/** `POST /v1/actions/:actionId` response. */
export const actionResultSchema = z.object({ output: z.unknown() });
export type ActionResult = z.infer<typeof actionResultSchema>;

/** Last line of a streaming action. */
export const streamDoneSchema = z.object({ done: z.literal(true), count: z.number().int().min(0) });
export type StreamDone = z.infer<typeof streamDoneSchema>;
