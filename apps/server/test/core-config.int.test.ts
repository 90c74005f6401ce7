import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "@securecontext/protocol";
import { describe, expect, it } from "vitest";
import { loadServerConfig, startServer } from "../src/index";

const KEY = "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const ADMIN = "admin-key-for-tests-0123456789abcdef";

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("core: configuration", () => {
  it("names the bad environment variable (never its value)", () => {
    const port = configError(() => loadServerConfig({ env: { SCP_STORE: "memory:", SCP_PORT: "eighty" } }));
    expect(port.field).toBe("SCP_PORT");
    expect(port.message).toContain("SCP_PORT");

    const keys = configError(() =>
      loadServerConfig({ env: { SCP_STORE: "memory:", SCP_ENCRYPTION_KEYS: "k1:tooshort-secret-value" } }),
    );
    expect(keys.field).toBe("SCP_ENCRYPTION_KEYS");
    expect(keys.message).not.toContain("tooshort-secret-value");

    const store = configError(() => loadServerConfig({ env: { SCP_STORE: "postgres://x" } }));
    expect(store.field).toBe("SCP_STORE");

    const level = configError(() =>
      loadServerConfig({ env: { SCP_STORE: "memory:", SCP_LOG_LEVEL: "loud" } }),
    );
    expect(level.field).toBe("SCP_LOG_LEVEL");
  });

  it("names the JSON path of a bad SCP_CONFIG entry and of a missing env: secret", () => {
    const dir = mkdtempSync(join(tmpdir(), "scp-config-"));
    const file = join(dir, "config.json");
    writeFileSync(
      file,
      JSON.stringify({ providers: [{ id: "acme", type: "oidc", clientId: "x", clientSecret: "y" }] }),
    );
    const issuer = configError(() => loadServerConfig({ env: { SCP_STORE: "memory:", SCP_CONFIG: file } }));
    expect(issuer.message).toContain("$.providers[0].issuer");

    writeFileSync(
      file,
      JSON.stringify({
        providers: [
          {
            id: "acme",
            type: "oidc",
            clientId: "x",
            clientSecret: "env:ACME_SECRET",
            issuer: "https://id.acme.test",
          },
        ],
      }),
    );
    const secret = configError(() => loadServerConfig({ env: { SCP_STORE: "memory:", SCP_CONFIG: file } }));
    expect(secret.message).toContain("ACME_SECRET");
    expect(secret.message).toContain("$.providers[0].clientSecret");
    const resolved = loadServerConfig({
      env: { SCP_STORE: "memory:", SCP_CONFIG: file, ACME_SECRET: "s3cret" },
    });
    expect(resolved.providerConfigs[0]?.clientSecret).toBe("s3cret");
    expect(resolved.demo).toBe(false);

    writeFileSync(file, JSON.stringify({ providers: [], surprise: true }));
    expect(
      configError(() => loadServerConfig({ env: { SCP_STORE: "memory:", SCP_CONFIG: file } })).message,
    ).toContain("$.surprise");

    writeFileSync(file, "{ not json");
    expect(
      configError(() => loadServerConfig({ env: { SCP_STORE: "memory:", SCP_CONFIG: file } })).field,
    ).toBe("SCP_CONFIG");
    expect(
      configError(() =>
        loadServerConfig({ env: { SCP_STORE: "memory:", SCP_CONFIG: join(dir, "missing.json") } }),
      ).field,
    ).toBe("SCP_CONFIG");
  });

  it("adds SCP_GOOGLE_* / SCP_MICROSOFT_* providers", () => {
    const config = loadServerConfig({
      env: {
        SCP_STORE: "memory:",
        SCP_GOOGLE_CLIENT_ID: "g-id",
        SCP_GOOGLE_CLIENT_SECRET: "g-secret",
        SCP_MICROSOFT_CLIENT_ID: "m-id",
        SCP_MICROSOFT_TENANT: "organizations",
      },
    });
    expect(config.providerConfigs.map((provider) => [provider.id, provider.type])).toEqual([
      ["google", "google"],
      ["microsoft", "microsoft"],
    ]);
    expect(config.providerConfigs[1]?.tenant).toBe("organizations");
  });

  it("refuses to start in production without explicit keys", async () => {
    const env = {
      NODE_ENV: "production",
      SCP_STORE: "memory:",
      SCP_GOOGLE_CLIENT_ID: "g",
      SCP_GOOGLE_CLIENT_SECRET: "s",
      SCP_LOG_LEVEL: "silent",
    };
    const noKeys = configError(() => loadServerConfig({ env }));
    expect(noKeys.message).toMatch(/production requires explicit SCP_ENCRYPTION_KEYS and SCP_ADMIN_KEY/);
    const noAdmin = configError(() => loadServerConfig({ env: { ...env, SCP_ENCRYPTION_KEYS: KEY } }));
    expect(noAdmin.field).toBe("SCP_ADMIN_KEY");
    await expect(startServer({ env, port: 0 })).rejects.toThrow(/production requires explicit/);
    // Demo mode is development only.
    const demo = configError(() =>
      loadServerConfig({
        env: { NODE_ENV: "production", SCP_STORE: "memory:", SCP_ENCRYPTION_KEYS: KEY, SCP_ADMIN_KEY: ADMIN },
      }),
    );
    expect(demo.message).toContain("demo mode");
    expect(
      loadServerConfig({ env: { ...env, SCP_ENCRYPTION_KEYS: KEY, SCP_ADMIN_KEY: ADMIN } }).production,
    ).toBe(true);
  });

  it("generates development secrets once into the data dir (0700 / 0600) and reuses them", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "scp-data-")), ".securecontext");
    const env = { SCP_STORE: `file:${join(dir, "scp.db")}`, SCP_DATA_DIR: dir };
    const first = loadServerConfig({ env });
    expect(first.secrets.generated).toEqual({ encryptionKeys: true, adminKey: true });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "admin-key")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "encryption-keys")).mode & 0o777).toBe(0o600);
    const second = loadServerConfig({ env });
    expect(second.secrets.adminKey).toBe(first.secrets.adminKey);
    expect(second.secrets.encryptionKeys).toEqual(first.secrets.encryptionKeys);
    expect(readFileSync(join(dir, "admin-key"), "utf8").trim()).toBe(first.secrets.adminKey);
    // The memory store keeps generated secrets in memory only.
    const memory = loadServerConfig({ env: { SCP_STORE: "memory:" } });
    expect(memory.secrets.dataDir).toBeUndefined();
  });
});
