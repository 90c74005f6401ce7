import { z } from "zod";
import { httpUrlSchema, providerIdSchema, scopesSchema, timestampSchema, userIdSchema } from "./common";

const semverSchema = z
  .string()
  .regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/, {
    message: "must be a semantic version like 1.2.3",
  });

const tagSchema = z.string().min(1).max(64);

/** An agent's marketplace manifest (SPEC §6). */
export const agentManifestSchema = z.strictObject({
  slug: z
    .string()
    .min(2)
    .max(64)
    .regex(/^[a-z0-9][a-z0-9-]*$/, { message: "must be lowercase letters, digits and -" }),
  name: z.string().min(1).max(200),
  version: semverSchema,
  description: z.string().min(1).max(4000),
  publisher: z.strictObject({ name: z.string().min(1).max(200), url: httpUrlSchema.optional() }),
  homepage: httpUrlSchema.optional(),
  repository: httpUrlSchema.optional(),
  license: z.string().max(64).optional(),
  capabilities: z.array(tagSchema).max(50),
  requires: z
    .array(
      z.strictObject({ providerId: providerIdSchema, scopes: scopesSchema, why: z.string().min(1).max(500) }),
    )
    .max(20),
  tags: z.array(tagSchema).max(50),
  frameworks: z.array(tagSchema).max(20).optional(),
  workflowTemplates: z.array(z.string()).max(50).optional(),
});
export type AgentManifest = z.infer<typeof agentManifestSchema>;

/** A published listing: the manifest plus how it arrived. */
export const agentListingSchema = agentManifestSchema.extend({
  signed: z.boolean(),
  signingKeyId: z.string().optional(),
  publishedAt: timestampSchema,
});
export type AgentListing = z.infer<typeof agentListingSchema>;

/** `POST /v1/agents/:slug/install` body. */
export const installAgentBodySchema = z.strictObject({ userId: userIdSchema });
