import { createHmac, timingSafeEqual } from "node:crypto";

/** Options of {@link verifyWebhookSignature}. */
export interface VerifyWebhookOptions {
  /** Largest accepted distance between `t` and now, in seconds (default 300). */
  toleranceSec?: number;
  /** The current time in epoch ms, or a clock (default `Date.now`). */
  now?: number | (() => number);
}

function hmacHex(secret: string, t: number | string, body: string): string {
  return createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
}

/**
 * The `SCP-Signature` header value for `body` signed at unix time `t` (seconds):
 * `t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.
 */
export function signWebhook(secret: string, body: string, t: number): string {
  const unix = Math.floor(t);
  return `t=${unix},v1=${hmacHex(secret, unix, body)}`;
}

/**
 * True when `header` is a valid `SCP-Signature` of the exact `body` bytes under `secret`, with a
 * timestamp within `toleranceSec` of now (replay window). Several `v1=` entries are accepted (any
 * may match, for secret rotation). Comparison is constant-time (`timingSafeEqual`).
 *
 * @example
 * ```ts
 * // in a receiver, with the raw request body:
 * if (!verifyWebhookSignature(rawBody, req.headers["scp-signature"], process.env.SCP_WEBHOOK_SECRET)) {
 *   return res.writeHead(400).end();
 * }
 * ```
 */
export function verifyWebhookSignature(
  body: string,
  header: string | null | undefined,
  secret: string,
  options: VerifyWebhookOptions = {},
): boolean {
  if (typeof header !== "string" || typeof body !== "string" || typeof secret !== "string" || secret === "") {
    return false;
  }
  let t: string | undefined;
  const candidates: string[] = [];
  for (const part of header.split(",")) {
    const index = part.indexOf("=");
    if (index < 0) return false;
    const name = part.slice(0, index).trim();
    const value = part.slice(index + 1).trim();
    if (name === "t") {
      if (t !== undefined) return false;
      t = value;
    } else if (name === "v1") {
      candidates.push(value);
    }
  }
  if (t === undefined || !/^\d{1,12}$/.test(t) || candidates.length === 0) return false;
  const nowMs = typeof options.now === "function" ? options.now() : (options.now ?? Date.now());
  const tolerance = options.toleranceSec ?? 300;
  if (Math.abs(nowMs / 1000 - Number(t)) > tolerance) return false;
  const expected = Buffer.from(hmacHex(secret, t, body), "hex");
  let valid = false;
  for (const candidate of candidates) {
    if (!/^[0-9a-fA-F]{64}$/.test(candidate)) continue;
    const given = Buffer.from(candidate, "hex");
    // Evaluate every candidate (no early exit) so timing does not reveal which one matched.
    if (given.length === expected.length && timingSafeEqual(given, expected)) valid = true;
  }
  return valid;
}
