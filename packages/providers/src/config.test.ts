import { ConfigError, type ProviderConfig } from "@securecontext/protocol";
import { describe, expect, it } from "vitest";
import { providersFromConfig } from "./config";
import { createProviderRegistry, defineProvider } from "./registry";

const configs: ProviderConfig[] = [
  { id: "google", type: "google", clientId: "g", clientSecret: "gs" },
  {
    id: "work-google",
    type: "google",
    clientId: "g2",
    clientSecret: "gs2",
    apiBaseUrls: ["https://www.googleapis.com"],
  },
  { id: "microsoft", type: "microsoft", clientId: "m", clientSecret: "ms", tenant: "organizations" },
  {
    id: "acme",
    type: "oidc",
    clientId: "a",
    clientSecret: "as",
    issuer: "https://login.acme.example",
    scopes: ["api.read"],
  },
  {
    id: "gitlab",
    type: "oauth2",
    clientId: "l",
    clientSecret: "ls",
    authorizationEndpoint: "https://gitlab.example/oauth/authorize",
    tokenEndpoint: "https://gitlab.example/oauth/token",
    userinfoEndpoint: "https://gitlab.example/api/v4/user",
  },
];

describe("providersFromConfig and the registry", () => {
  it("builds each provider type from SCP_CONFIG entries", () => {
    const providers = providersFromConfig(configs, { redirectUri: "http://localhost:8787/oauth/callback" });
    expect(providers.map((p) => [p.id, p.type])).toEqual([
      ["google", "google"],
      ["work-google", "google"],
      ["microsoft", "microsoft"],
      ["acme", "oidc"],
      ["gitlab", "oauth2"],
    ]);
    const registry = createProviderRegistry(providers);
    expect(registry.require("microsoft").defaultScopes).toContain("offline_access");
    expect(registry.require("microsoft").supportsRevocation).toBe(false);
    expect(registry.require("google").apiBaseUrls).toEqual(["https://www.googleapis.com"]);
    expect(registry.require("microsoft").apiBaseUrls).toEqual(["https://graph.microsoft.com"]);
    expect(registry.require("acme").scopes).toEqual(["openid", "email", "profile", "api.read"]);
    expect(registry.findAction("google.gmail.search")?.providerId).toBe("google");
    expect(registry.findAction("work-google.gmail.search")?.providerId).toBe("work-google");
    expect(registry.findAction("microsoft.drive.search")?.requiredScopes).toEqual(["Files.Read.All"]);
    expect(registry.actions()).toHaveLength(12);
    expect(registry.list()).toHaveLength(5);
    expect(registry.get("nope")).toBeUndefined();
    expect(() => registry.require("nope")).toThrow(/no provider "nope"/);
    expect(registry.require("google").describeScope("https://www.googleapis.com/auth/gmail.readonly")).toBe(
      "Read your Gmail messages and settings",
    );
    expect(registry.require("gitlab").describeScope("read_api")).toBe('Access "read_api"');
  });

  it("asks generic providers for offline_access on every connect when the operator offers it", () => {
    const [withOffline, without] = providersFromConfig(
      [
        {
          id: "a",
          type: "oidc",
          clientId: "a",
          issuer: "https://a.example",
          scopes: ["offline_access", "api.read"],
        },
        { id: "b", type: "oidc", clientId: "b", issuer: "https://b.example", scopes: ["api.read"] },
      ],
      {},
    );
    expect(withOffline?.defaultScopes).toEqual(["openid", "email", "profile", "offline_access"]);
    expect(without?.defaultScopes).toEqual(["openid", "email", "profile"]);
  });

  it("names the bad entry: http issuers without the opt-in, unresolved env secrets, bad tenants", () => {
    const http: ProviderConfig = { id: "local", type: "oidc", clientId: "x", issuer: "http://127.0.0.1:9" };
    expect(() => providersFromConfig([http])).toThrow(/providers\[0\] \(local\): issuer uses http:/);
    expect(providersFromConfig([http], { allowInsecureHttp: true })).toHaveLength(1);
    expect(() =>
      providersFromConfig([
        { id: "google", type: "google", clientId: "g", clientSecret: "env:GOOGLE_SECRET" },
      ]),
    ).toThrow(/resolve env secrets first/);
    expect(() =>
      providersFromConfig([{ id: "ms", type: "microsoft", clientId: "m", tenant: "../evil" }]),
    ).toThrow(ConfigError);
    expect(() => providersFromConfig([], { redirectUri: "http://scp.example.com/oauth/callback" })).toThrow(
      /redirectUri/,
    );
    const error = (() => {
      try {
        providersFromConfig([http]);
      } catch (caught) {
        return caught as ConfigError;
      }
    })();
    expect(error?.field).toBe("providers[0].issuer");
  });

  it("refuses duplicate provider or action ids and foreign actions", () => {
    const [google] = providersFromConfig([configs[0]!]);
    expect(() => createProviderRegistry([google!, google!])).toThrow(/registered twice/);
    const [microsoft] = providersFromConfig([configs[2]!]);
    expect(() =>
      defineProvider({ ...google!, actions: [...google!.actions, microsoft!.actions[0]!] }),
    ).toThrow(/belongs to provider microsoft/);
    expect(() => defineProvider({ ...google!, id: "Bad Id" })).toThrow(/invalid/);
  });
});
