import { z } from "zod";
import { displayNameSchema, originSchema, timestampSchema } from "./common";
import { clientIdSchema } from "./ids";

/** `POST /v1/clients` body. */
export const createClientBodySchema = z.strictObject({
  name: displayNameSchema,
  redirectOrigins: z.array(originSchema).max(50).optional(),
  allowTokenAccess: z.boolean().optional(),
});
export type CreateClientBody = z.infer<typeof createClientBodySchema>;

/** A client as the API shows it (never its key). */
export const clientSchema = z.object({
  id: clientIdSchema,
  name: z.string(),
  redirectOrigins: z.array(z.string()),
  allowTokenAccess: z.boolean(),
  createdAt: timestampSchema,
});
export type Client = z.infer<typeof clientSchema>;

/** `POST /v1/clients` response: the only time the API key is shown. */
export const createdClientSchema = clientSchema.extend({ apiKey: z.string().startsWith("scp_sk_") });
export type CreatedClient = z.infer<typeof createdClientSchema>;
