import { randomUUID } from "node:crypto";
import type { TestIdpProfile } from "./types";

/** Why a token request failed, independent of how a profile words it. */
export type TokenFailure =
  | "refresh_expired"
  | "refresh_revoked"
  | "refresh_reused"
  | "consent_required"
  | "code_invalid"
  | "other";

/** `error_detail` of the InvalidGrant thrown for a user marked with `requireConsent`. */
export const CONSENT_REQUIRED_DETAIL = "consent required";

/** Maps an oidc-provider `error_detail` to a failure kind. */
export function classifyDetail(error: string, detail: string | undefined): TokenFailure {
  if (error === "invalid_scope") return "consent_required";
  if (error !== "invalid_grant" || !detail) return "other";
  if (detail === CONSENT_REQUIRED_DETAIL) return "consent_required";
  if (detail === "refresh token is expired" || detail === "grant is expired") return "refresh_expired";
  if (detail === "refresh token already used") return "refresh_reused";
  if (detail.startsWith("refresh token") || detail.startsWith("grant")) return "refresh_revoked";
  if (detail.startsWith("authorization code") || detail.includes("PKCE") || detail.includes("redirect_uri")) {
    return "code_invalid";
  }
  return "other";
}

const AADSTS: Record<Exclude<TokenFailure, "other">, { code: number; text: string }> = {
  refresh_expired: {
    code: 700082,
    text: "The refresh token has expired due to inactivity. The token was issued on a date past its lifetime.",
  },
  refresh_revoked: {
    code: 50173,
    text: "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
  },
  refresh_reused: {
    code: 50173,
    text: "The provided grant has expired due to it being revoked: a refresh token was redeemed twice, so every token of the grant was revoked.",
  },
  consent_required: {
    code: 65001,
    text: "The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.",
  },
  code_invalid: {
    code: 70008,
    text: "The provided authorization code or refresh token has expired due to inactivity or was already redeemed.",
  },
};

/** A token endpoint error body in the profile's own style. */
export function styledTokenError(
  profile: TestIdpProfile,
  failure: TokenFailure,
  original: { error: string; error_description?: string },
): Record<string, unknown> {
  if (failure === "other") return { ...original };
  if (profile === "google") {
    if (failure === "consent_required") return { error: "invalid_scope", error_description: "Bad Request" };
    if (failure === "code_invalid") return { error: "invalid_grant", error_description: "Bad Request" };
    return { error: "invalid_grant", error_description: "Token has been expired or revoked." };
  }
  if (profile === "microsoft") {
    const { code, text } = AADSTS[failure];
    const traceId = randomUUID();
    const correlationId = randomUUID();
    const timestamp = new Date().toISOString().replace("T", " ").replace(/\..*$/, "Z");
    return {
      error: "invalid_grant",
      error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      ...(failure === "consent_required" ? { suberror: "consent_required" } : {}),
    };
  }
  const descriptions: Record<Exclude<TokenFailure, "other">, string> = {
    refresh_expired: "refresh token is expired",
    refresh_revoked: "refresh token is invalid or revoked",
    refresh_reused: "refresh token already used; the grant was revoked",
    consent_required: "consent required for the requested scope",
    code_invalid: original.error_description ?? "authorization code is invalid",
  };
  return {
    error: failure === "consent_required" ? "invalid_scope" : "invalid_grant",
    error_description: descriptions[failure],
  };
}
