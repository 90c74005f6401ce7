import { isScpError, ProviderError } from "@securecontext/protocol";
import type { FailureClassification } from "./types";

/** Plain-language hints, one per reason, phrased for the person who owns the account. */
export const failureHints = {
  transient:
    "The provider could not be reached or was busy. Nothing is wrong with the connection; SecureContext will retry.",
  refresh_token_expired: "Access to your account expired. Reconnect the account to keep using it.",
  refresh_token_expired_inactive:
    "Access to your account expired because it was not used for a long time. Reconnect the account.",
  refresh_token_expired_policy:
    "Your organization requires you to sign in again periodically. Reconnect the account to continue.",
  refresh_token_revoked:
    "Access to your account was revoked or has expired (for example from your account's security settings, or because the app is still in testing). Reconnect the account.",
  password_changed:
    "Your password changed, which signed this app out. Reconnect the account with your new password.",
  consent_required:
    "The provider needs you to approve access again. Reconnect the account and accept the permissions.",
  mfa_required:
    "Your organization requires multi-factor authentication. Reconnect the account and complete the extra sign-in step.",
  invalid_client:
    "The provider rejected this application's credentials. This is a server configuration problem: ask the operator to check the client id and secret.",
  unknown: "The provider refused to renew access. Reconnect the account to continue.",
} as const;

interface ErrorFacts {
  error: string;
  description: string;
  status: number | undefined;
  codes: number[];
}

function factsOf(error: ProviderError): ErrorFacts {
  const codes = new Set<number>();
  const extraCodes = error.extra.errorCodes;
  if (Array.isArray(extraCodes)) for (const code of extraCodes) if (typeof code === "number") codes.add(code);
  const description = error.errorDescription ?? "";
  for (const match of description.matchAll(/AADSTS(\d+)/g)) codes.add(Number(match[1]));
  return { error: error.error, description, status: error.providerStatus, codes: [...codes] };
}

const transient = (hint: string = failureHints.transient): FailureClassification => ({
  kind: "transient",
  reason: "unknown",
  hint,
});

/** Microsoft identity platform (Entra ID) AADSTS codes that only the person or operator can fix. */
const aadstsTable: Record<number, FailureClassification> = {
  700082: {
    kind: "reauth",
    reason: "refresh_token_expired",
    hint: failureHints.refresh_token_expired_inactive,
  },
  700084: { kind: "reauth", reason: "refresh_token_expired", hint: failureHints.refresh_token_expired },
  70043: { kind: "reauth", reason: "refresh_token_expired", hint: failureHints.refresh_token_expired_policy },
  50173: { kind: "reauth", reason: "refresh_token_revoked", hint: failureHints.refresh_token_revoked },
  50132: { kind: "reauth", reason: "password_changed", hint: failureHints.password_changed },
  50133: { kind: "reauth", reason: "password_changed", hint: failureHints.password_changed },
  50055: { kind: "reauth", reason: "password_changed", hint: failureHints.password_changed },
  65001: { kind: "reauth", reason: "consent_required", hint: failureHints.consent_required },
  65004: { kind: "reauth", reason: "consent_required", hint: failureHints.consent_required },
  50076: { kind: "reauth", reason: "consent_required", hint: failureHints.mfa_required },
  50079: { kind: "reauth", reason: "consent_required", hint: failureHints.mfa_required },
  50078: { kind: "reauth", reason: "consent_required", hint: failureHints.mfa_required },
  7000215: { kind: "reauth", reason: "invalid_client", hint: failureHints.invalid_client },
  7000222: { kind: "reauth", reason: "invalid_client", hint: failureHints.invalid_client },
  700016: { kind: "reauth", reason: "invalid_client", hint: failureHints.invalid_client },
};

/** AADSTS codes that mean "try again later" (throttling, service outages). */
const aadstsTransient = new Set([50196, 90033, 90035, 500011, 50058]);

/** A password change stated as fact (not Microsoft's "might have changed" boilerplate). */
const passwordChanged =
  /password (?:was|has been) (?:changed|reset)|recent password change|password (?:has )?expired/i;

function classifyProviderError(error: ProviderError): FailureClassification {
  const facts = factsOf(error);
  if (facts.error === "temporarily_unavailable" || facts.error === "server_error") return transient();
  if (facts.status !== undefined && (facts.status >= 500 || facts.status === 429)) return transient();
  for (const code of facts.codes) {
    if (aadstsTransient.has(code)) return transient();
  }
  for (const code of facts.codes) {
    const known = aadstsTable[code];
    if (known) {
      if (known.reason === "refresh_token_revoked" && passwordChanged.test(facts.description)) {
        return { kind: "reauth", reason: "password_changed", hint: failureHints.password_changed };
      }
      return { ...known };
    }
  }
  switch (facts.error) {
    case "invalid_client":
    case "unauthorized_client":
      return { kind: "reauth", reason: "invalid_client", hint: failureHints.invalid_client };
    case "consent_required":
    case "interaction_required":
    case "login_required":
    case "invalid_scope":
      return { kind: "reauth", reason: "consent_required", hint: failureHints.consent_required };
    case "invalid_grant": {
      const text = facts.description;
      if (passwordChanged.test(text)) {
        return { kind: "reauth", reason: "password_changed", hint: failureHints.password_changed };
      }
      // Google: "Token has been expired or revoked." (revoked by the person, by a password change on
      // Gmail scopes, or the 7-day limit of apps in testing).
      if (/expired or revoked|has been revoked|token (?:was |has been )?revoked|revoked/i.test(text)) {
        return { kind: "reauth", reason: "refresh_token_revoked", hint: failureHints.refresh_token_revoked };
      }
      if (/expired|inactiv/i.test(text)) {
        return { kind: "reauth", reason: "refresh_token_expired", hint: failureHints.refresh_token_expired };
      }
      return { kind: "reauth", reason: "unknown", hint: failureHints.unknown };
    }
    default:
      return { kind: "reauth", reason: "unknown", hint: failureHints.unknown };
  }
}

/**
 * Classifies a refresh (or code exchange) failure per SPEC §4: `reauth` when only the person (or the
 * operator, for `invalid_client`) can fix it, `transient` for network failures, 5xx, 429,
 * `temporarily_unavailable` and `server_error`. Knows Google's `invalid_grant` texts and Microsoft's
 * AADSTS codes (from `error_description` or the `error_codes` array).
 *
 * Anything that is not an RFC 6749 error from the provider is treated as transient: an unknown
 * failure must never mark a connection `needs_reauth`.
 *
 * @example
 * ```ts
 * classifyError(new ProviderError("refresh failed", { error: "invalid_grant", errorDescription: "AADSTS700082: …" }));
 * // { kind: "reauth", reason: "refresh_token_expired", hint: "Access to your account expired because …" }
 * ```
 */
export function classifyError(error: unknown): FailureClassification {
  if (error instanceof ProviderError) return classifyProviderError(error);
  if (
    isScpError(error) &&
    error.name === "ProviderError" &&
    typeof (error as ProviderError).error === "string"
  ) {
    return classifyProviderError(error as ProviderError);
  }
  // TransportError, UpstreamError, UnexpectedResponseError and anything unknown: retry later.
  return transient();
}
