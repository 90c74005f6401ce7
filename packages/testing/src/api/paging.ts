/** Opaque page tokens: base64url of the next offset. */
export function encodePageToken(offset: number): string {
  return Buffer.from(`o:${offset}`).toString("base64url");
}

/** The offset a page token stands for; `undefined` for a malformed token. */
export function decodePageToken(token: string | null): number | undefined {
  if (!token) return 0;
  const text = Buffer.from(token, "base64url").toString("utf8");
  const match = /^o:(\d+)$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Parses a positive integer query parameter, clamped to `max`; `undefined` when malformed. */
export function pageSize(value: string | null, fallback: number, max: number): number | undefined {
  if (value === null || value === "") return fallback;
  if (!/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  if (n < 1) return undefined;
  return Math.min(n, max);
}

/** Case-insensitive substring test. */
export function includesText(haystack: string, needle: string): boolean {
  return haystack.toLowerCase().includes(needle.toLowerCase());
}
