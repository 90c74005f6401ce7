import type { TokenSet } from "@securecontext/protocol";
import { ProviderError, UnexpectedResponseError } from "@securecontext/protocol";
import { toScpError } from "./errors";

/**
 * GETs a userinfo endpoint (OIDC userinfo, GitHub `/user`, …) with the access token and returns its
 * JSON object. A non-2xx answer becomes a {@link ProviderError}; the token never appears in errors.
 */
export async function fetchUserinfo(
  endpoint: string,
  tokenSet: TokenSet,
  options: { fetch: typeof fetch; timeoutMs: number },
): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await options.fetch(endpoint, {
      headers: { authorization: `Bearer ${tokenSet.accessToken}`, accept: "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw toScpError("userinfo request", error);
  }
  if (!response.ok) {
    await response.body?.cancel();
    const challenge = response.headers.get("www-authenticate") ?? "";
    const error =
      /error="([^"]+)"/.exec(challenge)?.[1] ?? (response.status >= 500 ? "server_error" : "invalid_token");
    throw new ProviderError(`userinfo request failed: HTTP ${response.status}`, {
      error,
      providerStatus: response.status,
    });
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new UnexpectedResponseError("userinfo response is not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new UnexpectedResponseError("userinfo response is not a JSON object");
  }
  return body as Record<string, unknown>;
}
