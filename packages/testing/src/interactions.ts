import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import { consentPage, errorPage, loginPage } from "./html";
import { readBody, sendHtml } from "./http-util";
import type { TestIdpProfile, TestUser } from "./types";
import { findUser } from "./users";

/** Path prefix of the login and consent pages (oidc-provider's `interactions.url`). */
export const INTERACTION_PREFIX = "/interaction/";

interface InteractionDeps {
  provider: Provider;
  profile: TestIdpProfile;
  users: readonly TestUser[];
  /** Called when a user approves a consent. */
  onConsent?: (accountId: string) => void;
}

/**
 * Serves `GET/POST /interaction/:uid`: the login form, then the consent form, finishing each
 * through `provider.interactionFinished` (which redirects back to the authorization endpoint).
 */
export function createInteractionHandler(deps: InteractionDeps) {
  const { provider, profile, users } = deps;

  return async function handleInteraction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    const { uid, prompt, params, session } = details;
    const action = `${INTERACTION_PREFIX}${uid}`;
    const clientId = String(params.client_id ?? "");

    if (req.method === "GET") {
      if (prompt.name === "login") {
        sendHtml(
          res,
          200,
          loginPage({
            profile,
            action,
            clientId,
            users,
            ...(typeof params.login_hint === "string" ? { loginHint: params.login_hint } : {}),
          }),
        );
        return;
      }
      const user = session?.accountId ? findUser(users, session.accountId) : undefined;
      if (prompt.name === "consent" && user) {
        sendHtml(res, 200, consentPage({ profile, action, clientId, user, scopes: requestedScopes(params) }));
        return;
      }
      sendHtml(res, 400, errorPage(profile, "unsupported_prompt", `Cannot handle prompt ${prompt.name}.`));
      return;
    }

    if (req.method !== "POST") {
      res.writeHead(405, { allow: "GET, POST" }).end();
      return;
    }

    const form = new URLSearchParams(await readBody(req));
    if (prompt.name === "login") {
      const user = findUser(users, form.get("email") ?? "");
      if (!user || user.password !== form.get("password")) {
        sendHtml(
          res,
          401,
          loginPage({ profile, action, clientId, users, error: "Unknown email or wrong password." }),
        );
        return;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: user.subject, remember: false } },
        { mergeWithLastSubmission: false },
      );
      return;
    }

    if (prompt.name === "consent") {
      if (form.get("decision") !== "approve") {
        await provider.interactionFinished(
          req,
          res,
          {
            error: "access_denied",
            error_description:
              profile === "microsoft"
                ? "AADSTS65004: User declined to consent to access the app."
                : "The user denied access.",
          },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      const accountId = session?.accountId;
      if (!accountId) throw new Error("consent without a signed-in account");
      const grant = details.grantId
        ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId }))
        : new provider.Grant({ accountId, clientId });
      const missing = prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(" "));
      }
      const grantId = await grant.save();
      deps.onConsent?.(accountId);
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
      return;
    }
    sendHtml(res, 400, errorPage(profile, "unsupported_prompt", `Cannot handle prompt ${prompt.name}.`));
  };
}

function requestedScopes(params: Record<string, unknown>): string[] {
  return typeof params.scope === "string" ? params.scope.split(" ").filter(Boolean) : [];
}
