import { randomBytes } from "node:crypto";
import type { ProviderConfig } from "@securecontext/protocol";
import type { TestIdp } from "@securecontext/testing";

/** The demo's local identity providers and the provider configs pointing at them. */
export interface DemoIdps {
  idps: TestIdp[];
  providerConfigs: ProviderConfig[];
  users: Array<{ email: string; password: string; name: string }>;
  stop(): Promise<void>;
}

/**
 * Starts @securecontext/testing IdPs in-process — a Google-like and a Microsoft-like one with sample
 * mail, calendar and files — each with a client registered for `BASE/oauth/callback`.
 *
 * @securecontext/testing (oidc-provider and its web stack) is imported here, on demand: a server
 * with real providers never loads the test IdP (~30 MB of RSS, and code no production server needs).
 */
export async function startDemoIdps(baseUrl: string): Promise<DemoIdps> {
  const { startTestIdp } = await import("@securecontext/testing");
  const redirectUri = `${baseUrl}/oauth/callback`;
  const profiles = [
    { id: "google", profile: "google" as const, displayName: "Google (demo)" },
    { id: "microsoft", profile: "microsoft" as const, displayName: "Microsoft (demo)" },
  ];
  const idps: TestIdp[] = [];
  const providerConfigs: ProviderConfig[] = [];
  try {
    for (const entry of profiles) {
      const clientId = `scp-demo-${entry.id}`;
      const clientSecret = randomBytes(24).toString("base64url");
      const idp = await startTestIdp({
        profile: entry.profile,
        clients: [{ clientId, clientSecret, redirectUris: [redirectUri] }],
      });
      idps.push(idp);
      providerConfigs.push({
        id: entry.id,
        type: entry.profile,
        displayName: entry.displayName,
        clientId,
        clientSecret,
        issuer: idp.issuer,
        apiBaseUrls: [idp.apiBaseUrl],
      });
    }
  } catch (error) {
    await Promise.allSettled(idps.map((idp) => idp.stop()));
    throw error;
  }
  const first = idps[0];
  return {
    idps,
    providerConfigs,
    users: (first?.users ?? []).map((user) => ({
      email: user.email,
      password: user.password,
      name: user.name,
    })),
    async stop() {
      await Promise.allSettled(idps.map((idp) => idp.stop()));
    },
  };
}
