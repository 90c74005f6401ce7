import { describe, expect, it } from "vitest";
import { ConfigError, resolveEnvSecrets, serverConfigFileSchema, serverEnvSchema } from "./index";

describe("server configuration", () => {
  it("applies defaults", () => {
    const env = serverEnvSchema.parse({});
    expect(env).toMatchObject({
      SCP_PORT: 8787,
      SCP_HOST: "127.0.0.1",
      SCP_STORE: "file:./.securecontext/scp.db",
      SCP_RATE_LIMIT: 6000,
    });
    expect(env.SCP_ALLOW_INSECURE_HTTP).toBe(false);
  });

  it("parses encryption keys, first one current", () => {
    const a = "A".repeat(43);
    const b = "B".repeat(43);
    const env = serverEnvSchema.parse({ SCP_ENCRYPTION_KEYS: `k2:${b}, k1:${a}` });
    expect(env.SCP_ENCRYPTION_KEYS).toEqual([
      { kid: "k2", secret: b },
      { kid: "k1", secret: a },
    ]);
    expect(serverEnvSchema.safeParse({ SCP_ENCRYPTION_KEYS: "k1:short" }).error?.issues[0]?.path[0]).toBe(
      "SCP_ENCRYPTION_KEYS",
    );
    expect(serverEnvSchema.safeParse({ SCP_ENCRYPTION_KEYS: `k:${a},k:${b}` }).success).toBe(false);
  });

  it("names the bad variable", () => {
    expect(serverEnvSchema.safeParse({ SCP_STORE: "postgres://x" }).error?.issues[0]?.path).toEqual([
      "SCP_STORE",
    ]);
    expect(serverEnvSchema.safeParse({ SCP_PORT: "eighty" }).error?.issues[0]?.path).toEqual(["SCP_PORT"]);
  });

  it("validates provider entries", () => {
    const result = serverConfigFileSchema.safeParse({
      providers: [{ id: "acme", type: "oidc", clientId: "x", clientSecret: "env:ACME_SECRET" }],
    });
    expect(result.error?.issues[0]?.path).toEqual(["providers", 0, "issuer"]);
  });

  it("resolves env: secrets and names missing ones", () => {
    const config = { providers: [{ clientSecret: "env:ACME_SECRET" }] };
    expect(resolveEnvSecrets(config, { ACME_SECRET: "s3cr3t" }).providers[0]?.clientSecret).toBe("s3cr3t");
    expect(() => resolveEnvSecrets(config, {})).toThrow(ConfigError);
    try {
      resolveEnvSecrets(config, {});
    } catch (error) {
      expect((error as ConfigError).field).toBe("$.providers[0].clientSecret");
      expect((error as ConfigError).message).toContain("ACME_SECRET");
    }
  });
});
