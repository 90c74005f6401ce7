/**
 * A deep copy of parsed JSON data (objects, arrays, strings, numbers, booleans, null): the same
 * value a fresh `JSON.parse` of its text would give, at a quarter of the cost for small records.
 * Only for values that came out of `JSON.parse` and hold no `__proto__` key (an assignment would
 * set the prototype where `JSON.parse` made an own property; see {@link copyableJson}).
 */
export function copyJson<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyJson(value[i]);
    return out as T;
  }
  // Own keys only (a `for…in` would also copy enumerable members someone added to Object.prototype).
  const keys = Object.keys(value);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    out[key] = copyJson((value as Record<string, unknown>)[key]);
  }
  return out as T;
}

/** Longest JSON text whose parse is kept for copying (big values are rare reads; keep no second copy). */
const MAX_COPYABLE_CHARS = 2048;

/** Whether the parse of `json` (an object or array) may be kept and handed out through {@link copyJson}. */
export function copyableJson(json: string): boolean {
  return json.length <= MAX_COPYABLE_CHARS && !json.includes('"__proto__"');
}
