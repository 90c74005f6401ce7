import { createHash } from "node:crypto";

/**
 * Canonical JSON: object keys sorted (by UTF-16 code unit), no whitespace, `undefined` members
 * dropped, arrays kept in order. Two equal values always give the same text, so it can be hashed.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    return text === undefined ? "null" : text;
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
}

/** `prevHash` of the first event in a chain: 64 zeros. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * The hash of an audit event: hex SHA-256 of `prevHash` followed by the canonical JSON of the
 * event without its `hash` member (which includes `prevHash` itself).
 */
export function computeAuditHash(event: { prevHash: string } & Record<string, unknown>): string {
  const { hash: _ignored, ...rest } = event;
  return createHash("sha256")
    .update(event.prevHash + canonicalJson(rest))
    .digest("hex");
}
