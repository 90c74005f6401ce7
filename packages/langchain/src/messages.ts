import type { AuthRequiredError, ReauthRequiredError } from "@securecontext/protocol";
import type { z } from "zod";

/** What the model reads when the person must connect or grant more access. */
export function authRequiredMessage(
  error: AuthRequiredError,
  providerName: string,
  toolName: string,
): string {
  const what =
    error.code === "insufficient_scope"
      ? `The user's ${providerName} connection does not grant the permission ${toolName} needs${
          error.missingScopes.length ? ` (${error.missingScopes.join(", ")})` : ""
        }.`
      : `The user has not connected a ${providerName} account, which ${toolName} needs.`;
  const next = error.connectUrl
    ? `Ask the user to open this link and approve access: ${error.connectUrl} — then call ${toolName} again.`
    : `Ask the user to connect ${providerName} in the application, then call ${toolName} again.`;
  return `AUTH_REQUIRED: ${what} ${next}`;
}

/** What the model reads when a connection needs the person to sign in again. */
export function reauthRequiredMessage(
  error: ReauthRequiredError,
  providerName: string,
  toolName: string,
): string {
  const url = typeof error.extra.connectUrl === "string" ? error.extra.connectUrl : undefined;
  const reason = error.reason ? ` (${error.reason.replaceAll("_", " ")})` : "";
  const next = url
    ? `Ask the user to open this link to reconnect: ${url} — then call ${toolName} again.`
    : `Ask the user to reconnect ${providerName} in the application, then call ${toolName} again.`;
  return `REAUTH_REQUIRED: The user's ${providerName} connection has stopped working${reason}. ${next}`;
}

/** Tool-argument problems, phrased so the model can correct its call. */
export function invalidInputMessage(toolName: string, issues: ReadonlyArray<z.core.$ZodIssue>): string {
  const lines = issues.slice(0, 8).map((issue) => {
    const path = issue.path.length ? issue.path.map(String).join(".") : "(arguments)";
    return `- ${path}: ${issue.message}`;
  });
  return `INVALID_INPUT: The arguments for ${toolName} are not valid:\n${lines.join("\n")}\nCall ${toolName} again with arguments that match its schema.`;
}

/** Caps a tool result so one call cannot flood the model's context. */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n…[truncated ${text.length - maxChars} characters; narrow the request to see more]`;
}
