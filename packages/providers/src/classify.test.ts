import {
  ProviderError,
  TransportError,
  UnexpectedResponseError,
  UpstreamError,
} from "@securecontext/protocol";
import { describe, expect, it } from "vitest";
import { classifyError } from "./classify";

const grant = (description: string, extra: Record<string, unknown> = {}) =>
  new ProviderError("refresh failed", {
    error: "invalid_grant",
    errorDescription: description,
    providerStatus: 400,
    extra,
  });

describe("classifyError", () => {
  it.each([
    [
      "Google revoked/expired",
      grant("Token has been expired or revoked."),
      "reauth",
      "refresh_token_revoked",
    ],
    [
      "AADSTS700082 inactivity",
      grant("AADSTS700082: The refresh token has expired due to inactivity."),
      "reauth",
      "refresh_token_expired",
    ],
    [
      "AADSTS70043 conditional access",
      grant(
        "AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.",
      ),
      "reauth",
      "refresh_token_expired",
    ],
    [
      "AADSTS50173 revoked (boilerplate mentions a possible password change)",
      grant(
        "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
      ),
      "reauth",
      "refresh_token_revoked",
    ],
    [
      "AADSTS50173 stating a password change",
      grant("AADSTS50173: The grant was revoked because the password was changed."),
      "reauth",
      "password_changed",
    ],
    [
      "AADSTS50133 password change",
      grant("AADSTS50133: Session is invalid due to expiration or recent password change."),
      "reauth",
      "password_changed",
    ],
    [
      "AADSTS65001 consent",
      grant("AADSTS65001: The user or administrator has not consented to use the application."),
      "reauth",
      "consent_required",
    ],
    [
      "AADSTS50076 MFA",
      new ProviderError("x", {
        error: "interaction_required",
        errorDescription:
          "AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication.",
      }),
      "reauth",
      "consent_required",
    ],
    [
      "AADSTS code only in error_codes",
      grant("Trace ID: 1", { errorCodes: [700082] }),
      "reauth",
      "refresh_token_expired",
    ],
    [
      "invalid_client",
      new ProviderError("x", { error: "invalid_client", providerStatus: 401 }),
      "reauth",
      "invalid_client",
    ],
    [
      "AADSTS7000222 expired secret",
      new ProviderError("x", {
        error: "invalid_client",
        errorDescription: "AADSTS7000222: The provided client secret keys are expired.",
      }),
      "reauth",
      "invalid_client",
    ],
    [
      "Google consent (invalid_scope)",
      new ProviderError("x", { error: "invalid_scope", errorDescription: "Bad Request" }),
      "reauth",
      "consent_required",
    ],
    ["generic expired", grant("refresh token is expired"), "reauth", "refresh_token_expired"],
    ["other invalid_grant", grant("Bad Request"), "reauth", "unknown"],
    [
      "temporarily_unavailable",
      new ProviderError("x", { error: "temporarily_unavailable" }),
      "transient",
      "unknown",
    ],
    ["server_error", new ProviderError("x", { error: "server_error" }), "transient", "unknown"],
    [
      "5xx with an OAuth body",
      new ProviderError("x", { error: "invalid_grant", providerStatus: 503 }),
      "transient",
      "unknown",
    ],
    [
      "429",
      new ProviderError("x", { error: "temporarily_unavailable", providerStatus: 429 }),
      "transient",
      "unknown",
    ],
    [
      "AADSTS throttling",
      grant("AADSTS50196: The server terminated an operation because it encountered a client request loop."),
      "transient",
      "unknown",
    ],
    ["network", new TransportError("could not reach"), "transient", "unknown"],
    ["upstream 502", new UpstreamError("bad gateway", { upstreamStatus: 502 }), "transient", "unknown"],
    ["unexpected response", new UnexpectedResponseError("odd"), "transient", "unknown"],
    ["plain Error", new Error("boom"), "transient", "unknown"],
  ])("%s", (_name, error, kind, reason) => {
    const result = classifyError(error);
    expect(result).toMatchObject({ kind, reason });
    expect(result.hint).toMatch(/\w{3,}.*\./);
  });

  it("gives an MFA-specific hint for AADSTS50076 and an operator hint for invalid_client", () => {
    expect(classifyError(grant("AADSTS50076: MFA required")).hint).toMatch(/multi-factor/);
    expect(classifyError(new ProviderError("x", { error: "invalid_client" })).hint).toMatch(/operator/);
  });

  it("recognizes a ProviderError from another copy of the protocol package by shape", () => {
    const foreign = Object.assign(new Error("x"), {
      name: "ProviderError",
      code: "provider_error",
      status: 502,
      error: "invalid_grant",
      errorDescription: "Token has been expired or revoked.",
      extra: {},
    });
    expect(classifyError(foreign)).toMatchObject({ kind: "reauth", reason: "refresh_token_revoked" });
  });
});
