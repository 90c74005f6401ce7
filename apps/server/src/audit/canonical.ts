import { hash } from "node:crypto";

/**
 * Canonical JSON: object keys sorted (by UTF-16 code unit), no whitespace, `undefined` members
 * dropped, arrays kept in order. Two equal values always give the same text, so it can be hashed.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    return text === undefined ? "null" : text;
  }
  // Plain loops and concatenation: this runs for every audit event (hash and size check), and the
  // entries/filter/map/join version allocated several arrays per object.
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i === 0 ? "" : ",") + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units, the order canonical JSON needs.
  const keys = Object.keys(record).sort();
  let out = "{";
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${out.length === 1 ? "" : ","}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}

/** `prevHash` of the first event in a chain: 64 zeros. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * The hash of an audit event: hex SHA-256 of `prevHash` followed by the canonical JSON of the
 * event without its `hash` member (which includes `prevHash` itself).
 */
export function computeAuditHash(event: { prevHash: string } & Record<string, unknown>): string {
  return hash("sha256", event.prevHash + canonicalEventJson(event), "hex");
}

/** The members an audit event may have, in canonical (UTF-16 code unit) order; `hash` is never hashed. */
const EVENT_KEYS = [
  "action",
  "actor",
  "at",
  "clientId",
  "connectionId",
  "detail",
  "id",
  "ip",
  "outcome",
  "prevHash",
  "sessionId",
  "type",
  "userId",
] as const;
const EVENT_KEY_SET = new Set<string>([...EVENT_KEYS, "hash"]);

/**
 * `canonicalJson` of an event without its `hash`, written in the fixed order of the members an
 * event has instead of sorting its keys: this runs for every event appended and verified. Anything
 * with other members (a tampered record under verification) takes the generic path, so the
 * result is always exactly the generic one.
 */
export function canonicalEventJson(event: Record<string, unknown>): string {
  for (const key in event) {
    if (!EVENT_KEY_SET.has(key)) {
      const { hash: _ignored, ...body } = event;
      return canonicalJson(body);
    }
  }
  let out = "{";
  for (const key of EVENT_KEYS) {
    const value = event[key];
    if (value === undefined) continue;
    out += `${out.length === 1 ? "" : ","}"${key}":${typeof value === "string" ? JSON.stringify(value) : canonicalJson(value)}`;
  }
  return `${out}}`;
}
