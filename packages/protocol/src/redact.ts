import { errorCodes } from "./errors";

/**
 * Secret scrubbing shared by the server's logger and the session pool's audit log. Two layers: values under keys whose
 * name says "secret" are replaced whole, and secret-shaped substrings (SCP API keys, session
 * tokens, webhook secrets, `Bearer …` credentials) are cut out of every string.
 */

/** What a redacted value is replaced with. */
export const REDACTED = "[Redacted]";

/** Key names (lowercase, without `-` and `_`) whose values are always secret. */
const SECRET_KEY_NAMES = new Set([
  "token",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "sessiontoken",
  "apikey",
  "xapikey",
  "adminkey",
  "secret",
  "clientsecret",
  "webhooksecret",
  "password",
  "passwd",
  "code",
  "state",
  "codeverifier",
  "nonce",
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  "scpsignature",
  "privatekey",
  "encryptionkeys",
]);

/** Suffixes that make any key secret (`upstreamAccessToken`, `googleClientSecret`, `dbPassword`). */
const SECRET_KEY_SUFFIX = /(token|secret|password|apikey)$/;

/**
 * Values a `code` key may show: SCP error codes (`not_found`) and Node system error codes
 * (`ECONNREFUSED`). Anything else under `code` (an OAuth authorization code) is redacted.
 */
const SAFE_CODE = new RegExp(`^(?:${Object.keys(errorCodes).join("|")}|E[A-Z_]{2,40})$`);

/** True when `value`, stored under the secret-named `key`, is known not to be a secret. */
function isKnownSafe(key: string, value: unknown): boolean {
  if (key.toLowerCase() !== "code") return false;
  return typeof value === "number" || (typeof value === "string" && SAFE_CODE.test(value));
}

/**
 * True when a value stored under `key` must never be written out. Case, `-` and `_` are ignored,
 * so `access_token`, `Access-Token` and `accessToken` all match.
 */
export function isSecretKey(key: string): boolean {
  let secret = secretKeyMemo.get(key);
  if (secret === undefined) {
    const normalized = key.toLowerCase().replace(/[-_]/g, "");
    secret = SECRET_KEY_NAMES.has(normalized) || SECRET_KEY_SUFFIX.test(normalized);
    // Logged key names come from code, so the set stays small; the cap keeps odd input from growing it.
    if (secretKeyMemo.size < 4096) secretKeyMemo.set(key, secret);
  }
  return secret;
}
const secretKeyMemo = new Map<string, boolean>();

// SCP secrets are a fixed prefix plus base62; Bearer credentials are RFC 6750 b64token characters.
const SECRET_PATTERN = /scp_(?:sk|st|whsec)_[0-9A-Za-z]+|\bbearer\s+[A-Za-z0-9\-._~+/]+=*/gi;

/** `text` with every SCP secret (`scp_sk_…`, `scp_st_…`, `scp_whsec_…`) and `Bearer …` credential cut out. */
export function scrubString(text: string): string {
  // Most strings hold neither marker; two substring searches are cheaper than the regex scan.
  if (!text.includes("scp_") && !/bearer/i.test(text)) return text;
  return text.replace(SECRET_PATTERN, (match) =>
    match.toLowerCase().startsWith("bearer") ? `Bearer ${REDACTED}` : REDACTED,
  );
}

/** Options of {@link redactDeep}. */
export interface RedactDeepOptions {
  /** Deeper values become `"[Truncated]"` (default 10). */
  maxDepth?: number;
  /** Turns an `Error` into a plain object before it is scrubbed (default: name, message, stack, code). */
  serializeError?: (error: Error) => unknown;
}

function defaultSerializeError(error: Error): unknown {
  const out: Record<string, unknown> = { type: error.name, message: error.message };
  if (error.stack !== undefined) out.stack = error.stack;
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  return out;
}

/**
 * A deep copy of `value` with secret-named keys replaced by {@link REDACTED} and every string
 * passed through {@link scrubString}. Never mutates its input; cycles become `"[Circular]"`.
 */
export function redactDeep(value: unknown, options: RedactDeepOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? 10;
  const serializeError = options.serializeError ?? defaultSerializeError;
  const seen = new WeakSet<object>();

  const walk = (current: unknown, depth: number): unknown => {
    if (typeof current === "string") return scrubString(current);
    if (current === null || typeof current !== "object") return current;
    if (seen.has(current)) return "[Circular]";
    if (depth >= maxDepth) return "[Truncated]";
    if (current instanceof Error) {
      seen.add(current);
      return walk(serializeError(current), depth);
    }
    if (current instanceof Date) return current;
    if (typeof (current as { toJSON?: unknown }).toJSON === "function") {
      return walk((current as { toJSON(): unknown }).toJSON(), depth);
    }
    seen.add(current);
    if (Array.isArray(current)) return current.map((item) => walk(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(current)) {
      const secret = isSecretKey(key) && item !== undefined && item !== null && !isKnownSafe(key, item);
      out[key] = secret ? REDACTED : walk(item, depth + 1);
    }
    return out;
  };

  return walk(value, 0);
}
