/**
 * OAuth 2.0 / OpenID Connect providers for SecureContext — generic `oidc()` and `oauth2()`, Google and
 * Microsoft — on openid-client, with typed provider API actions and the refresh-failure taxonomy.
 *
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import { classifyError, createProviderRegistry, google } from "@securecontext/providers";
 *
 * const providers = createProviderRegistry([
 *   google({ clientId: process.env.GOOGLE_CLIENT_ID!, clientSecret: process.env.GOOGLE_CLIENT_SECRET! }),
 * ]);
 * const provider = providers.require("google");
 * const pending = {
 *   state: randomBytes(32).toString("base64url"),
 *   codeVerifier: randomBytes(32).toString("base64url"),
 *   nonce: randomBytes(16).toString("base64url"),
 *   redirectUri: "https://scp.example.com/oauth/callback",
 * };
 * const url = await provider.authorizationUrl({ ...pending, scopes: ["https://www.googleapis.com/auth/gmail.readonly"] });
 * // … the browser consents and comes back to the redirect URI …
 * const tokens = await provider.exchangeCode({ callbackUrl: new URL(callbackHref), checks: pending });
 * const account = await provider.identity(tokens);
 *
 * const search = providers.findAction("google.gmail.search")!;
 * const page = await search.run(
 *   { fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${tokens.accessToken}` } }),
 *     apiBaseUrl: provider.apiBaseUrls[0]! },
 *   { query: "is:unread", maxResults: 10 },
 * );
 *
 * try {
 *   await provider.refresh({ refreshToken: tokens.refreshToken! });
 * } catch (error) {
 *   const failure = classifyError(error); // { kind: "reauth", reason: "refresh_token_revoked", hint: "…" }
 * }
 * ```
 *
 * @packageDocumentation
 */
export { type ActionSpec, defineAction, definePagedAction, type PagedActionSpec } from "./actions/define";
export { type ApiCallOptions, callProviderApi, parseRetryAfter } from "./actions/http";
export * from "./actions/schemas";
export type {
  ClientAuthenticationMethod,
  ClientCredentialsOptions,
  TransportOptions,
} from "./auth/configuration";
export { callbackErrorCodes } from "./auth/errors";
export type { ProviderBaseOptions } from "./auth/options";
export { classifyError, failureHints } from "./classify";
export { type ProvidersFromConfigOptions, providersFromConfig } from "./config";
export { type GitHubOptions, github, githubReposListAction } from "./examples/github";
export { type GoogleOptions, google, googleActions } from "./google";
export { type MicrosoftOptions, microsoft, microsoftActions } from "./microsoft";
export { type OAuth2Options, oauth2 } from "./oauth2";
export { type OidcOptions, oidc } from "./oidc";
export { createProviderRegistry, defineProvider, type ProviderRegistry } from "./registry";
export type * from "./types";
