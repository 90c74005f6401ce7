/**
 * @packageDocumentation
 * A local stand-in for Google, Microsoft and plain OIDC providers on the real `oidc-provider`.
 *
 * ```ts
 * import { completeAuthorization, startTestIdp } from "@securecontext/testing";
 *
 * const idp = await startTestIdp({
 *   profile: "google",
 *   clients: [{ clientId: "app", clientSecret: "secret", redirectUris: ["http://127.0.0.1:3000/cb"] }],
 * });
 * const url = new URL(`${idp.issuer}/o/oauth2/v2/auth`);
 * // …add client_id, redirect_uri, response_type=code, scope, state, code_challenge (S256)…
 * const callback = await completeAuthorization(url, { user: "alice@example.test" });
 * console.log(callback.searchParams.get("code"));
 * await idp.stop();
 * ```
 */
export { type CompleteAuthorizationOptions, completeAuthorization } from "./complete-authorization";
export { startTestIdp } from "./idp";
export { GOOGLE_SCOPES, GRAPH_SCOPES } from "./profiles";
export type {
  Fault,
  IdpStats,
  StartTestIdpOptions,
  TestClient,
  TestIdp,
  TestIdpProfile,
  TestUser,
  TokenEndpointAuthMethod,
  UserRef,
} from "./types";
export { DEFAULT_TENANT_ID, seededUsers } from "./users";
