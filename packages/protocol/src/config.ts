import { z } from "zod";
import { displayNameSchema, httpUrlSchema, originSchema, providerIdSchema, scopeSchema } from "./common";
import { providerTypeSchema } from "./discovery";
import { ConfigError } from "./errors";
import { clientIdSchema } from "./ids";
import { createWebhookBodySchema } from "./webhooks";

const booleanFromEnv = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .transform((value) => value === "true" || value === "1" || value === "yes");

/** `kid:base64url-32-bytes` entries, comma separated; the first encrypts. */
export const encryptionKeysSchema = z
  .string()
  .transform((value) =>
    value
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(
        z.string().regex(/^[A-Za-z0-9._-]{1,64}:[A-Za-z0-9_-]{43}$/, {
          message: "each key must be kid:base64url of 32 bytes (43 characters)",
        }),
      )
      .min(1),
  )
  .transform((entries) =>
    entries.map((entry) => {
      const index = entry.indexOf(":");
      return { kid: entry.slice(0, index), secret: entry.slice(index + 1) };
    }),
  )
  .refine((keys) => new Set(keys.map((key) => key.kid)).size === keys.length, {
    message: "key ids must be unique",
  });
export type EncryptionKeySpec = z.output<typeof encryptionKeysSchema>[number];

/** Environment of the reference server (SPEC §7). Every entry optional in development. */
export const serverEnvSchema = z.object({
  NODE_ENV: z.string().optional(),
  SCP_PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  SCP_HOST: z.string().min(1).default("127.0.0.1"),
  SCP_BASE_URL: httpUrlSchema.default("http://localhost:8787"),
  SCP_STORE: z
    .string()
    .regex(/^(file:.+|memory:|rediss?:\/\/.+)$/, { message: "must be file:<path>, memory: or redis://…" })
    .default("file:./.securecontext/scp.db"),
  SCP_ENCRYPTION_KEYS: encryptionKeysSchema.optional(),
  SCP_ADMIN_KEY: z.string().min(32, { message: "must be at least 32 characters" }).optional(),
  SCP_CONFIG: z.string().min(1).optional(),
  SCP_GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  SCP_GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  SCP_MICROSOFT_CLIENT_ID: z.string().min(1).optional(),
  SCP_MICROSOFT_CLIENT_SECRET: z.string().min(1).optional(),
  SCP_MICROSOFT_TENANT: z.string().min(1).default("common"),
  SCP_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SCP_RATE_LIMIT: z.coerce.number().int().min(0).default(6000),
  SCP_ALLOW_INSECURE_HTTP: booleanFromEnv.default(false),
});
export type ServerEnv = z.output<typeof serverEnvSchema>;

/** A secret in the config file: the value itself or `env:VAR`. */
export const secretValueSchema = z.string().min(1);

export const providerConfigSchema = z.strictObject({
  id: providerIdSchema,
  type: providerTypeSchema,
  displayName: displayNameSchema.optional(),
  clientId: z.string().min(1),
  clientSecret: secretValueSchema.optional(),
  scopes: z.array(scopeSchema).optional(),
  issuer: httpUrlSchema.optional(),
  authorizationEndpoint: httpUrlSchema.optional(),
  tokenEndpoint: httpUrlSchema.optional(),
  revocationEndpoint: httpUrlSchema.optional(),
  userinfoEndpoint: httpUrlSchema.optional(),
  apiBaseUrls: z.array(httpUrlSchema).min(1).optional(),
  authorizationParams: z.record(z.string(), z.string()).optional(),
  tenant: z.string().min(1).optional(),
});
export type ProviderConfig = z.infer<typeof providerConfigSchema>;

export const configuredClientSchema = z.strictObject({
  id: clientIdSchema,
  name: displayNameSchema,
  apiKey: secretValueSchema,
  redirectOrigins: z.array(originSchema).optional(),
  allowTokenAccess: z.boolean().optional(),
});

/** The `SCP_CONFIG` JSON file. */
export const serverConfigFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    providers: z.array(providerConfigSchema).default([]),
    clients: z.array(configuredClientSchema).optional(),
    webhooks: z.array(createWebhookBodySchema.extend({ secret: secretValueSchema.optional() })).optional(),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.providers.forEach((provider, index) => {
      if (seen.has(provider.id)) {
        ctx.addIssue({
          code: "custom",
          path: ["providers", index, "id"],
          message: `duplicate provider id "${provider.id}"`,
        });
      }
      seen.add(provider.id);
      if (provider.type === "oidc" && !provider.issuer) {
        ctx.addIssue({
          code: "custom",
          path: ["providers", index, "issuer"],
          message: "oidc providers need an issuer",
        });
      }
      if (provider.type === "oauth2" && (!provider.authorizationEndpoint || !provider.tokenEndpoint)) {
        ctx.addIssue({
          code: "custom",
          path: [
            "providers",
            index,
            provider.authorizationEndpoint ? "tokenEndpoint" : "authorizationEndpoint",
          ],
          message: "oauth2 providers need authorizationEndpoint and tokenEndpoint",
        });
      }
    });
  });
export type ServerConfigFile = z.output<typeof serverConfigFileSchema>;

/**
 * Replaces every `"env:VAR"` string in `value` with `env[VAR]`, so secrets stay out of the file.
 * Throws `ConfigError` naming the JSON path when the variable is unset. Pure: the caller passes
 * the environment, which keeps this package free of Node APIs.
 */
export function resolveEnvSecrets<T>(value: T, env: Record<string, string | undefined>, path = "$"): T {
  if (typeof value === "string" && value.startsWith("env:")) {
    const name = value.slice(4);
    const resolved = env[name];
    if (resolved === undefined || resolved === "") {
      throw new ConfigError(`${path} refers to environment variable ${name}, which is not set`, {
        field: path,
      });
    }
    return resolved as T;
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => resolveEnvSecrets(item, env, `${path}[${index}]`)) as T;
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, resolveEnvSecrets(item, env, `${path}.${key}`)]),
    ) as T;
  }
  return value;
}
