import type { TestIdp } from "./types";

/**
 * The SCP_CONFIG `providers[]` entry pointing the reference server at a running test IdP
 * (`issuer` overrides the real endpoints; `apiBaseUrls` replaces the API hosts). The server needs
 * `SCP_ALLOW_INSECURE_HTTP` for the http issuer.
 */
export function providerConfigEntry(
  idp: TestIdp,
  clientId: string,
  clientSecret: string,
): Record<string, unknown> {
  return {
    id: idp.profile === "generic" ? "test-oidc" : idp.profile,
    type: idp.profile === "generic" ? "oidc" : idp.profile,
    displayName: `Test ${idp.profile} (local)`,
    clientId,
    clientSecret,
    issuer: idp.issuer,
    apiBaseUrls: [idp.apiBaseUrl],
  };
}
