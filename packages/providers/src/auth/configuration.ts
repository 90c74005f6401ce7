import { ConfigError } from "@securecontext/protocol";
import { importJWK, type JWK } from "jose";
import * as client from "openid-client";
import { toScpError } from "./errors";

/** How SCP authenticates to the token endpoint. */
export type ClientAuthenticationMethod =
  | "client_secret_basic"
  | "client_secret_post"
  | "private_key_jwt"
  | "none";

/** The OAuth client SCP is registered as at the provider. */
export interface ClientCredentialsOptions {
  clientId: string;
  /** Required for `client_secret_basic` / `client_secret_post`. Never logged or put in an error. */
  clientSecret?: string;
  /** Default `client_secret_basic` when a secret is given, `none` (public client) otherwise. */
  clientAuthentication?: ClientAuthenticationMethod;
  /** Private JWK (with `alg`, and `kid` if the server needs it) for `private_key_jwt`. */
  privateKey?: JWK;
}

/** Network options every provider accepts. */
export interface TransportOptions {
  /** Injected fetch (tests, proxies, tracing). Default: global `fetch`. */
  fetch?: typeof fetch;
  /** Per-request timeout for authorization server calls, in milliseconds. Default 30 000. */
  timeoutMs?: number;
  /**
   * Permit `http:` issuers and endpoints. Only for local test servers and demo mode; without it an
   * `http:` URL is refused with a {@link ConfigError}.
   */
  allowInsecureHttp?: boolean;
}

/** Throws a ConfigError when `url` is not https (unless insecure http is allowed). */
export function assertSecureUrl(
  url: string | undefined,
  field: string,
  allowInsecureHttp: boolean | undefined,
): void {
  if (url === undefined) return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`${field} is not a valid URL`, { field });
  }
  if (parsed.protocol === "https:") return;
  if (parsed.protocol === "http:" && allowInsecureHttp) return;
  throw new ConfigError(
    parsed.protocol === "http:"
      ? `${field} uses http:, which is refused unless allowInsecureHttp is set (local testing only)`
      : `${field} must be an https:// URL`,
    { field },
  );
}

async function clientAuthFor(credentials: ClientCredentialsOptions): Promise<client.ClientAuth> {
  const method =
    credentials.clientAuthentication ?? (credentials.clientSecret ? "client_secret_basic" : "none");
  switch (method) {
    case "client_secret_basic":
    case "client_secret_post":
      if (!credentials.clientSecret) {
        throw new ConfigError(`client authentication ${method} needs a clientSecret`, {
          field: "clientSecret",
        });
      }
      return method === "client_secret_basic"
        ? client.ClientSecretBasic(credentials.clientSecret)
        : client.ClientSecretPost(credentials.clientSecret);
    case "private_key_jwt": {
      const jwk = credentials.privateKey;
      if (!jwk || typeof jwk.alg !== "string" || jwk.d === undefined) {
        throw new ConfigError("private_key_jwt needs a private JWK with an alg", { field: "privateKey" });
      }
      const key = await importJWK(jwk, jwk.alg);
      if (!(key instanceof CryptoKey)) throw new ConfigError("privateKey must be an asymmetric private JWK");
      return client.PrivateKeyJwt(jwk.kid ? { key, kid: jwk.kid } : key);
    }
    case "none":
      return client.None();
  }
}

/** Where the authorization server's metadata comes from. */
export type MetadataSource =
  | { kind: "discovery"; issuer: string; algorithm?: "oidc" | "oauth2" }
  | { kind: "explicit"; metadata: client.ServerMetadata };

function customFetchFor(fetchImpl: typeof fetch): client.CustomFetch {
  return (url, options) => fetchImpl(url, options as RequestInit);
}

/**
 * Builds an openid-client {@link client.Configuration}: discovery (or explicit metadata), client
 * authentication, injected fetch, timeout, the insecure-http opt-in and ID token signature checks.
 */
export async function createConfiguration(
  source: MetadataSource,
  credentials: ClientCredentialsOptions,
  transport: TransportOptions & { verifyIdTokenSignature?: boolean },
): Promise<client.Configuration> {
  const auth = await clientAuthFor(credentials);
  const timeout = Math.max(1, Math.ceil((transport.timeoutMs ?? 30_000) / 1000));
  const fetchImpl = transport.fetch ?? globalThis.fetch;
  const execute: Array<(config: client.Configuration) => void> = [];
  if (transport.allowInsecureHttp) execute.push(client.allowInsecureRequests);
  const metadata: Partial<client.ClientMetadata> = {};
  if (credentials.clientSecret) metadata.client_secret = credentials.clientSecret;
  let config: client.Configuration;
  try {
    if (source.kind === "discovery") {
      config = await client.discovery(new URL(source.issuer), credentials.clientId, metadata, auth, {
        [client.customFetch]: customFetchFor(fetchImpl),
        execute,
        timeout,
        ...(source.algorithm ? { algorithm: source.algorithm } : {}),
      });
    } else {
      config = new client.Configuration(source.metadata, credentials.clientId, metadata, auth);
      config[client.customFetch] = customFetchFor(fetchImpl);
      config.timeout = timeout;
      for (const extension of execute) extension(config);
    }
  } catch (error) {
    throw toScpError(
      source.kind === "discovery" ? `discovery of ${source.issuer}` : "client configuration",
      error,
    );
  }
  if (transport.verifyIdTokenSignature !== false && config.serverMetadata().jwks_uri) {
    client.enableNonRepudiationChecks(config);
  }
  return config;
}
