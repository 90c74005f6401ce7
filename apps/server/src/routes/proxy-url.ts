import { ForbiddenError, ValidationError } from "@securecontext/protocol";

/** Patterns a proxied path may never contain (traversal, encoded separators, authority tricks). */
const FORBIDDEN_PATH = [
  { pattern: /(^|\/)\.\.?(\/|$)/, why: "dot segments" },
  { pattern: /%2e/i, why: "encoded dots" },
  { pattern: /%2f/i, why: "encoded slashes" },
  { pattern: /%5c/i, why: "encoded backslashes" },
  { pattern: /\\/, why: "backslashes" },
  { pattern: /@/, why: "'@'" },
  { pattern: /%40/i, why: "encoded '@'" },
  { pattern: /^\//, why: "a leading '/'" },
  { pattern: /\/\//, why: "empty segments ('//')" },
  { pattern: /^[a-z][a-z0-9+.-]*:/i, why: "an absolute URL" },
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  { pattern: /%00|[\x00-\x1f\x7f]/i, why: "control characters" },
  { pattern: /%25/i, why: "double encoding" },
];

/**
 * Builds the upstream URL for `rest` (the path after `/v1/proxy/:connectionId/`, still
 * percent-encoded as received) plus `search` under `base`. Throws 400 for any path that could
 * leave the base, and re-checks the resulting origin and path prefix.
 */
export function buildProxyUrl(base: string, rest: string, search: string): URL {
  for (const { pattern, why } of FORBIDDEN_PATH) {
    if (pattern.test(rest)) {
      throw new ValidationError(`path: proxy paths may not contain ${why}`, { field: "path" });
    }
  }
  const baseUrl = new URL(base);
  const basePath = baseUrl.pathname.replace(/\/+$/, "");
  const expectedPath = `${basePath}/${rest}`;
  const target = new URL(`${baseUrl.origin}${expectedPath}${search}`);
  if (
    target.origin !== baseUrl.origin ||
    target.pathname !== expectedPath ||
    !target.pathname.startsWith(`${basePath}/`)
  ) {
    throw new ForbiddenError("The proxied URL would leave the provider's allowed API base");
  }
  return target;
}

/** The base to use: the primary one, or another allow-listed base named exactly by `SCP-Proxy-Base`. */
export function selectProxyBase(apiBaseUrls: string[], header: string | undefined): string {
  const primary = apiBaseUrls[0];
  if (!primary) throw new ForbiddenError("This provider has no API base URL to proxy to");
  if (header === undefined) return primary;
  const match = apiBaseUrls.find(
    (base) => base === header || base.replace(/\/+$/, "") === header.replace(/\/+$/, ""),
  );
  if (!match || header.replace(/\/+$/, "") !== match.replace(/\/+$/, "")) {
    throw new ValidationError("SCP-Proxy-Base must equal one of the provider's allow-listed API base URLs", {
      field: "header.SCP-Proxy-Base",
    });
  }
  return match;
}
