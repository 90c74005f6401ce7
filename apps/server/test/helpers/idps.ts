import { type StartTestIdpOptions, startTestIdp, type TestIdp } from "@securecontext/testing";
import { uniq } from "./env";

/** Provider ids the test servers configure. */
export type TestProviderId = "google" | "microsoft" | "acme";

export interface TestIdps {
  google: TestIdp;
  microsoft: TestIdp;
  acme: TestIdp;
  /** Client credentials registered at every IdP (per provider). */
  credentials: Record<TestProviderId, { clientId: string; clientSecret: string }>;
  stop(): Promise<void>;
}

export interface StartIdpsOptions {
  /** Every redirect URI the server(s) may use (`${base}/oauth/callback`). */
  redirectUris: string[];
  /** Per-profile overrides (for example a short `accessTokenTtl`). */
  overrides?: Partial<Record<TestProviderId, Partial<Omit<StartTestIdpOptions, "clients" | "profile">>>>;
}

/** Starts a google-, a microsoft- and a generic-profile IdP, each knowing one client of the server. */
export async function startIdps(options: StartIdpsOptions): Promise<TestIdps> {
  const credentials = {
    google: { clientId: uniq("google-client-"), clientSecret: uniq("google-secret-") + uniq() },
    microsoft: { clientId: uniq("ms-client-"), clientSecret: uniq("ms-secret-") + uniq() },
    acme: { clientId: uniq("acme-client-"), clientSecret: uniq("acme-secret-") + uniq() },
  } satisfies TestIdps["credentials"];
  const start = (provider: TestProviderId, profile: StartTestIdpOptions["profile"]) =>
    startTestIdp({
      profile,
      ...options.overrides?.[provider],
      clients: [{ ...credentials[provider], redirectUris: options.redirectUris }],
    });
  const [google, microsoft, acme] = await Promise.all([
    start("google", "google"),
    start("microsoft", "microsoft"),
    start("acme", "generic"),
  ]);
  return {
    google,
    microsoft,
    acme,
    credentials,
    async stop() {
      await Promise.allSettled([google.stop(), microsoft.stop(), acme.stop()]);
    },
  };
}

/** The SCP_CONFIG document for the three IdPs (providers `google`, `microsoft`, `acme`). */
export function providerConfig(idps: TestIdps) {
  return {
    providers: [
      {
        id: "google",
        type: "google",
        displayName: "Google (test)",
        clientId: idps.credentials.google.clientId,
        clientSecret: idps.credentials.google.clientSecret,
        issuer: idps.google.issuer,
        apiBaseUrls: [idps.google.apiBaseUrl],
      },
      {
        id: "microsoft",
        type: "microsoft",
        displayName: "Microsoft (test)",
        clientId: idps.credentials.microsoft.clientId,
        clientSecret: idps.credentials.microsoft.clientSecret,
        issuer: idps.microsoft.issuer,
        apiBaseUrls: [idps.microsoft.apiBaseUrl],
      },
      {
        id: "acme",
        type: "oidc",
        displayName: "Acme SSO",
        clientId: idps.credentials.acme.clientId,
        clientSecret: idps.credentials.acme.clientSecret,
        issuer: idps.acme.issuer,
        scopes: ["openid", "email", "profile", "offline_access", "api.read"],
        apiBaseUrls: [idps.acme.apiBaseUrl],
      },
    ],
  };
}
