import { z } from "zod";
import { httpUrlSchema } from "./common";

export const PROTOCOL_VERSION = "1.0";

export const providerTypeSchema = z.enum(["google", "microsoft", "oidc", "oauth2"]);
export type ProviderType = z.infer<typeof providerTypeSchema>;

/** `GET /.well-known/securecontext`. */
export const discoveryDocumentSchema = z.object({
  protocolVersion: z.string(),
  issuer: httpUrlSchema,
  endpoints: z.record(z.string(), z.string()),
  providers: z.array(
    z.object({
      id: z.string(),
      displayName: z.string(),
      type: providerTypeSchema,
      scopes: z.array(z.string()),
    }),
  ),
  actions: z.array(z.string()),
  demo: z.boolean().optional(),
});
export type DiscoveryDocument = z.infer<typeof discoveryDocumentSchema>;
