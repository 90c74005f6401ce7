import { hash } from "node:crypto";
import type { AuditEvent } from "@securecontext/protocol";

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

/** Keys JavaScript enumerates before all others, in numeric order (array indexes). */
const INDEX_KEY = /^(?:0|[1-9][0-9]{0,9})$/;

/**
 * `value` as plain JSON data in canonical form, for values an event will hold: what
 * `JSON.stringify` would keep (dates and other `toJSON` values as they serialize; `undefined`,
 * functions and symbols dropped from objects and `null` in arrays; non-finite numbers `null`),
 * with every object's keys inserted in sorted order. `native` says whether native
 * `JSON.stringify` of the copy is its canonical JSON: it is not when an object has an array-index
 * key (`"2"`, `"10"`), which JavaScript enumerates first, in numeric order, whatever the insertion
 * order. Throws `TypeError` for what JSON cannot hold (a `bigint`, a cycle).
 */
export function canonicalData(value: unknown): { data: unknown; native: boolean } {
  let native = true;
  const copy = (current: unknown, inArray: boolean, stack: object[]): unknown => {
    if (typeof current === "number") return Number.isFinite(current) ? current : null;
    if (typeof current === "string" || typeof current === "boolean" || current === null) return current;
    if (typeof current === "bigint") throw new TypeError("a bigint cannot be serialized to JSON");
    if (typeof current !== "object") return inArray ? null : undefined;
    if (current instanceof String || current instanceof Number || current instanceof Boolean)
      return copy(current.valueOf(), inArray, stack);
    if (typeof (current as { toJSON?: unknown }).toJSON === "function")
      return copy((current as { toJSON(): unknown }).toJSON(), inArray, stack);
    if (stack.includes(current)) throw new TypeError("a cyclic value cannot be serialized to JSON");
    stack.push(current);
    try {
      if (Array.isArray(current)) {
        const out: unknown[] = new Array(current.length);
        for (let i = 0; i < current.length; i++) out[i] = copy(current[i], true, stack);
        return out;
      }
      const record = current as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(record).sort()) {
        const item = copy(record[key], false, stack);
        if (item === undefined) continue;
        if (INDEX_KEY.test(key)) native = false;
        out[key] = item;
      }
      return out;
    } finally {
      stack.pop();
    }
  };
  const data = copy(value, false, []);
  return { data, native };
}

/** `prevHash` of the first event in a chain: 64 zeros. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * The hash of an audit event: hex SHA-256 of `prevHash` followed by the canonical JSON of the
 * event without its `hash` member (which includes `prevHash` itself).
 */
export function computeAuditHash(event: { prevHash: string } & Record<string, unknown>): string {
  return auditHash(event.prevHash, canonicalEventJson(event));
}

/** The chain hash from `prevHash` and the canonical JSON of the event without `hash`. */
export function auditHash(prevHash: string, canonicalBody: string): string {
  return hash("sha256", prevHash + canonicalBody, "hex");
}

/**
 * Printable ASCII without `"` and `\`: the strings JSON writes as they are, between quotes. Ids,
 * types, actors and addresses always are, so they skip `JSON.stringify`, which took about 0.1 µs
 * per short string and was most of an event's serialization.
 */
const PLAIN_JSON_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** `JSON.stringify(value)` for a string. */
function jsonString(value: string): string {
  return PLAIN_JSON_STRING.test(value) ? `"${value}"` : JSON.stringify(value);
}

/**
 * The canonical JSON of an event without its `hash`, written member by member in canonical order
 * (no object walk, no key sort): `detailJson` is the canonical JSON of its detail (absent:
 * undefined). This runs for every event appended and verified.
 */
export function eventJson(
  event: Omit<AuditEvent, "detail" | "hash">,
  detailJson: string | undefined,
): string {
  let out = "{";
  if (event.action !== undefined) out += `"action":${jsonString(event.action)},`;
  out += `"actor":${jsonString(event.actor)},"at":${jsonString(event.at)}`;
  if (event.clientId !== undefined) out += `,"clientId":${jsonString(event.clientId)}`;
  if (event.connectionId !== undefined) out += `,"connectionId":${jsonString(event.connectionId)}`;
  if (detailJson !== undefined) out += `,"detail":${detailJson}`;
  out += `,"id":${jsonString(event.id)}`;
  if (event.ip !== undefined) out += `,"ip":${jsonString(event.ip)}`;
  out += `,"outcome":${jsonString(event.outcome)},"prevHash":${jsonString(event.prevHash)}`;
  if (event.sessionId !== undefined) out += `,"sessionId":${jsonString(event.sessionId)}`;
  out += `,"type":${jsonString(event.type)}`;
  if (event.userId !== undefined) out += `,"userId":${jsonString(event.userId)}`;
  return `${out}}`;
}

/** The string members of an event, always present and optional; `detail` and `hash` are the others. */
const REQUIRED_STRINGS = ["actor", "at", "id", "outcome", "prevHash", "type"] as const;
const OPTIONAL_STRINGS = ["action", "clientId", "connectionId", "ip", "sessionId", "userId"] as const;
const EVENT_KEY_SET = new Set<string>([...REQUIRED_STRINGS, ...OPTIONAL_STRINGS, "detail", "hash"]);

/** An event {@link eventJson} writes: only known members, each string member a string. */
function isUsualEvent(event: Record<string, unknown>): boolean {
  for (const key in event) if (!EVENT_KEY_SET.has(key)) return false;
  for (const key of REQUIRED_STRINGS) if (typeof event[key] !== "string") return false;
  for (const key of OPTIONAL_STRINGS)
    if (event[key] !== undefined && typeof event[key] !== "string") return false;
  return true;
}

/**
 * `canonicalJson` of an event without its `hash` (what `verify` recomputes from a stored event).
 * An event of the usual form goes through {@link eventJson}; anything else (a tampered or damaged
 * record: another member, a member of another type) takes the generic path, so the result is
 * always exactly the generic one.
 */
export function canonicalEventJson(event: Record<string, unknown>): string {
  if (!isUsualEvent(event)) {
    const { hash: _ignored, ...body } = event;
    return canonicalJson(body);
  }
  return eventJson(
    event as unknown as AuditEvent,
    event.detail === undefined ? undefined : canonicalJson(event.detail),
  );
}
