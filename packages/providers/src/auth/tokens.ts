import type { Account, TokenSet } from "@securecontext/protocol";
import { UnexpectedResponseError } from "@securecontext/protocol";
import { decodeJwt, type JWTPayload } from "jose";

/** The fields of an RFC 6749 token response SCP reads. */
export interface TokenResponseLike {
  access_token: string;
  token_type?: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number;
  scope?: string;
}

/** Splits a `scope` value; tolerates comma-separated lists (GitHub and some OAuth 2.0 servers). */
export function splitScopes(scope: string | undefined): string[] {
  if (!scope) return [];
  return unique(scope.split(/[\s,]+/).filter(Boolean));
}

/** Order-preserving de-duplication. */
export function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

/**
 * Builds a {@link TokenSet} from a token endpoint response. `fallbackScopes` is used when the
 * response omits `scope` (RFC 6749 §5.1: then the granted scope equals the requested one).
 */
export function tokenSetFromResponse(
  response: TokenResponseLike,
  options: { now: number; fallbackScopes: string[] },
): TokenSet {
  if (typeof response.access_token !== "string" || response.access_token.length === 0) {
    throw new UnexpectedResponseError("token response has no access_token");
  }
  const tokenType =
    response.token_type && response.token_type.toLowerCase() !== "bearer" ? response.token_type : "Bearer";
  const scopes = response.scope !== undefined ? splitScopes(response.scope) : unique(options.fallbackScopes);
  return {
    accessToken: response.access_token,
    tokenType,
    ...(response.refresh_token ? { refreshToken: response.refresh_token } : {}),
    ...(response.id_token ? { idToken: response.id_token } : {}),
    ...(typeof response.expires_in === "number" && Number.isFinite(response.expires_in)
      ? { expiresAt: options.now + Math.round(response.expires_in * 1000) }
      : {}),
    scopes,
    obtainedAt: options.now,
  };
}

/** Claims of an ID token SCP stored after openid-client validated it (never used to trust a new token). */
export function idTokenClaims(idToken: string): JWTPayload {
  try {
    return decodeJwt(idToken);
  } catch (error) {
    throw new UnexpectedResponseError("stored ID token is not a JWT", { cause: new Error(String(error)) });
  }
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** Default account mapping from OIDC claims (ID token or userinfo): `sub`, `email`, `name`, `tid`. */
export function accountFromClaims(claims: Record<string, unknown>): Account {
  const subject = text(claims.sub) ?? (typeof claims.id === "number" ? String(claims.id) : text(claims.id));
  if (!subject) throw new UnexpectedResponseError("identity has no subject (sub)");
  const email = text(claims.email);
  const name = text(claims.name);
  const tenantId = text(claims.tid);
  return {
    subject,
    ...(email ? { email } : {}),
    ...(name ? { name } : {}),
    ...(tenantId ? { tenantId } : {}),
  };
}
