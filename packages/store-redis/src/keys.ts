/**
 * Key layout. A record key `k` under prefix `p` lives at `p{k}:r`; its lease at `p{k}:l`, its fence
 * at `p{k}:f` and a counter of the same name at `p{k}:c`. The braces are a Redis Cluster hash tag:
 * a record, its lease and its fence hash to the same slot, so the Lua scripts that touch two of
 * them run on Cluster. (A `{…}` inside the prefix puts every key in one slot instead.)
 */
export interface KeyLayout {
  record(key: string): string;
  lock(key: string): string;
  fence(key: string): string;
  counter(key: string): string;
  channel(name: string): string;
  /** SCAN MATCH pattern for records whose key starts with `prefix`. */
  recordPattern(prefix: string): string;
  /** The record key of a Redis key from `recordPattern`, or undefined if it is not one. */
  recordKeyOf(redisKey: string): string | undefined;
}

/** Escapes SCAN MATCH glob characters so they match literally. */
export function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
}

export function keyLayout(prefix: string): KeyLayout {
  const head = `${prefix}{`;
  return {
    record: (key) => `${head}${key}}:r`,
    lock: (key) => `${head}${key}}:l`,
    fence: (key) => `${head}${key}}:f`,
    counter: (key) => `${head}${key}}:c`,
    channel: (name) => `${prefix}${name}`,
    recordPattern: (keyPrefix) => `${escapeGlob(head)}${escapeGlob(keyPrefix)}*}:r`,
    recordKeyOf: (redisKey) =>
      redisKey.startsWith(head) && redisKey.endsWith("}:r") ? redisKey.slice(head.length, -3) : undefined,
  };
}
