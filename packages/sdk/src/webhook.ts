import { type WebhookEvent, webhookEventSchema } from "@securecontext/protocol";
import { WebhookVerificationError } from "./errors";

/** Options of {@link verifyWebhook}. */
export interface VerifyWebhookOptions {
  /** Largest accepted distance between the signed timestamp and now, in seconds. Default 300. */
  toleranceSec?: number;
  /** Current time in epoch ms (tests). Default `Date.now()`. */
  now?: number;
}

const encoder = new TextEncoder();

function toBytes(body: string | Uint8Array | ArrayBuffer): Uint8Array {
  if (typeof body === "string") return encoder.encode(body);
  return body instanceof Uint8Array ? body : new Uint8Array(body);
}

function hexToBytes(hex: string): Uint8Array | undefined {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let index = 0; index < out.length; index++)
    out[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  return out;
}

function bytesToHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** Compares two byte strings in time that depends only on their length (which is public). */
function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let index = 0; index < a.length; index++) diff |= (a[index] as number) ^ (b[index] as number);
  return diff === 0;
}

async function hmacSha256(secret: string, data: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, data as Uint8Array<ArrayBuffer>));
}

function signedPayload(timestamp: string, body: Uint8Array): Uint8Array {
  const prefix = encoder.encode(`${timestamp}.`);
  const payload = new Uint8Array(prefix.length + body.length);
  payload.set(prefix, 0);
  payload.set(body, prefix.length);
  return payload;
}

/**
 * The `SCP-Signature` header value for `body` at unix time `timestamp`:
 * `t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`. For senders and tests.
 */
export async function signWebhook(
  body: string | Uint8Array,
  secret: string,
  timestamp: number,
): Promise<string> {
  const t = String(Math.floor(timestamp));
  return `t=${t},v1=${bytesToHex(await hmacSha256(secret, signedPayload(t, toBytes(body))))}`;
}

/**
 * Verifies an SCP webhook delivery and returns the parsed event, or throws
 * `WebhookVerificationError` (`reason`: `malformed_header`, `stale_timestamp`, `bad_signature`,
 * `invalid_body`). Pass the raw request body exactly as received (not re-serialized JSON). Uses
 * Web Crypto HMAC-SHA256 and a constant-time comparison; accepts any of several `v1=` signatures
 * (secret rotation); rejects timestamps more than `toleranceSec` from now in either direction
 * (replays). Dedupe accepted events by `id`.
 *
 * @example
 * ```ts
 * const event = await verifyWebhook(await request.text(), request.headers.get("SCP-Signature"), secret);
 * ```
 */
export async function verifyWebhook(
  body: string | Uint8Array | ArrayBuffer,
  header: string | null | undefined,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<WebhookEvent> {
  if (!secret) throw new TypeError("verifyWebhook needs the webhook's signing secret");
  if (!header)
    throw new WebhookVerificationError("Missing SCP-Signature header", { reason: "malformed_header" });
  let timestamp: string | undefined;
  const signatures: Uint8Array[] = [];
  for (const part of header.split(",")) {
    const index = part.indexOf("=");
    if (index === -1) continue;
    const key = part.slice(0, index).trim();
    const value = part.slice(index + 1).trim();
    if (key === "t") timestamp = value;
    else if (key === "v1") {
      const bytes = hexToBytes(value);
      if (bytes) signatures.push(bytes);
    }
  }
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || signatures.length === 0) {
    throw new WebhookVerificationError("SCP-Signature header must be t=<unix>,v1=<hex>", {
      reason: "malformed_header",
    });
  }
  const toleranceSec = options.toleranceSec ?? 300;
  const nowSec = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSec - Number(timestamp)) > toleranceSec) {
    throw new WebhookVerificationError(`Webhook timestamp is outside the ${toleranceSec} s tolerance`, {
      reason: "stale_timestamp",
    });
  }
  const bytes = toBytes(body);
  const expected = await hmacSha256(secret, signedPayload(timestamp, bytes));
  let matched = false;
  for (const signature of signatures) matched = timingSafeEqual(expected, signature) || matched;
  if (!matched)
    throw new WebhookVerificationError("Webhook signature does not match", { reason: "bad_signature" });
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new WebhookVerificationError("Webhook body is not JSON", { reason: "invalid_body", cause });
  }
  const parsed = webhookEventSchema.safeParse(json);
  if (!parsed.success) {
    throw new WebhookVerificationError("Webhook body is not an SCP event", {
      reason: "invalid_body",
      cause: parsed.error,
    });
  }
  return parsed.data;
}
