/** One URL path segment, percent-encoded (ids never contain `/`, but callers may pass anything). */
export function segment(value: string): string {
  if (value === "" || value === "." || value === "..")
    throw new TypeError(`Invalid path segment ${JSON.stringify(value)}`);
  return encodeURIComponent(value);
}
