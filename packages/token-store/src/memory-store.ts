import { closeGuard } from "./closed";
import { copyableJson, copyJson } from "./json-copy";
import type { ListOptions, ListResult, SetManyEntry, SetOptions, StoredRecord, TokenStore } from "./types";
import {
  assertKey,
  compareKeys,
  type EncodedEntry,
  encodeCompareAndSetMany,
  encodeCursor,
  encodeEntries,
  encodeJson,
  expiryOf,
  listPage,
} from "./validation";

/** Options of {@link memoryStore} and {@link memoryBackend}. */
export interface MemoryStoreOptions {
  /** Clock in epoch ms (default `Date.now`); inject one to test expiry without waiting. */
  now?: () => number;
  /** How often expired records are swept, in ms (default 60 000; 0 disables the sweep timer). */
  sweepIntervalMs?: number;
}

interface Entry {
  /** JSON text, so callers never share mutable objects with the store. */
  json: string;
  version: number;
  expiresAt: number | undefined;
}

/**
 * The value of an entry. Callers may change what they get, so an object is theirs alone: a copy of
 * the entry's parse, kept beside the entry when `keep` (copying is ~4× cheaper than parsing again;
 * the connection record is read on every token call). `get` keeps; `list` does not, so paging
 * through many records holds no second copy of each. A string value (an encrypted token set) is
 * immutable, so its one parse is always kept and shared.
 */
function readValue(entry: Entry, keep: boolean): unknown {
  const cached = parsedValues.get(entry);
  if (cached !== undefined) return copyJson(cached);
  const value: unknown = JSON.parse(entry.json);
  if (typeof value === "string") parsedValues.set(entry, value);
  else if (keep && typeof value === "object" && value !== null && copyableJson(entry.json)) {
    parsedValues.set(entry, value);
    return copyJson(value);
  }
  return value;
}
/** Parsed values by entry, beside the entries (no field on every entry for the few that are read). */
const parsedValues = new WeakMap<Entry, unknown>();

/**
 * What `set` and `compareAndSet` return: the value as stored, parsed only when a caller reads it.
 * Most callers only check that the write happened, and some values are large (an audit chain head
 * written without `compareAndSetMany` carries its whole batch). `value` is an own, enumerable
 * accessor (spreads, `JSON.stringify` and equality checks see it like a data property) whose getter
 * is one shared function: a getter closure per record gave every record its own hidden class, which
 * fragmented V8's old space badly under bulk writes.
 */
class WrittenRecord<T> implements StoredRecord<T> {
  declare readonly value: T;
  readonly version: number;
  readonly expiresAt?: number;
  #json: string;
  #parsed: { value: T } | undefined;

  constructor(entry: Entry) {
    Object.defineProperty(this, "value", VALUE_ACCESSOR);
    this.#json = entry.json;
    this.version = entry.version;
    if (entry.expiresAt !== undefined) this.expiresAt = entry.expiresAt;
  }

  static parsedValue(record: WrittenRecord<unknown>): unknown {
    record.#parsed ??= { value: JSON.parse(record.#json) };
    return record.#parsed.value;
  }
}

const VALUE_ACCESSOR: PropertyDescriptor = {
  get(this: WrittenRecord<unknown>) {
    return WrittenRecord.parsedValue(this);
  },
  enumerable: true,
  configurable: false,
};

/**
 * A flat copy of a (possibly sliced) string, so a stored key part never keeps the caller's whole
 * key alive (V8 represents `slice` results of 13+ characters as views into their parent).
 */
function flat(text: string): string {
  return text.length < 13 ? text : (JSON.parse(JSON.stringify(text)) as string);
}

/**
 * A `TokenStore` in process memory: for tests, development and single-process tools. Every
 * operation is atomic because it completes synchronously inside one event-loop turn; nothing
 * survives a restart and nothing is shared with other processes. Values are copied through JSON on
 * the way in and out.
 */
export function memoryStore(options: MemoryStoreOptions = {}): TokenStore {
  const now = options.now ?? Date.now;
  /**
   * Entries grouped by "directory": the key up to and including its last `:` maps to the rest of
   * the key. `list(prefix)` visits only the directories that can match (not every record, which
   * made each list O(records)), and the shared part of keys is held once per directory (index
   * keys are long: a 64-hex user hash repeated per entry).
   */
  const groups = new Map<string, Map<string, Entry>>();
  const guard = closeGuard("memory store");

  /**
   * The directory ends at the last `:`, except that a trailing all-digit segment (the creation time
   * in index keys, `…:<13 digits>:<id>`) stays in the rest: otherwise every millisecond opened a
   * directory, and `list`, which visits every directory, grew with the number of records.
   */
  const split = (key: string): [string, string] => {
    let end = key.lastIndexOf(":");
    const before = end > 0 ? key.lastIndexOf(":", end - 1) : -1;
    if (before >= 0 && end - before > 1) {
      let digits = true;
      for (let i = before + 1; i < end && digits; i++) {
        const code = key.charCodeAt(i);
        digits = code >= 48 && code <= 57;
      }
      if (digits) end = before;
    }
    const cut = end + 1;
    return [key.slice(0, cut), key.slice(cut)];
  };
  const lookup = (key: string): Entry | undefined => {
    const [dir, rest] = split(key);
    return groups.get(dir)?.get(rest);
  };
  const remove = (key: string): void => {
    const [dir, rest] = split(key);
    const group = groups.get(dir);
    if (group === undefined) return;
    group.delete(rest);
    if (group.size === 0) groups.delete(dir);
  };
  const put = (key: string, entry: Entry): void => {
    const [dir, rest] = split(key);
    let group = groups.get(dir);
    if (group === undefined) {
      group = new Map();
      groups.set(flat(dir), group);
    }
    group.set(sharedRest(rest), entry);
  };
  const live = (key: string): Entry | undefined => {
    const entry = lookup(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= now()) {
      remove(key);
      return undefined;
    }
    return entry;
  };
  const toRecord = <T>(entry: Entry, keep: boolean): StoredRecord<T> => {
    const record: StoredRecord<T> = { value: readValue(entry, keep) as T, version: entry.version };
    if (entry.expiresAt !== undefined) record.expiresAt = entry.expiresAt;
    return record;
  };
  const write = (key: string, json: string, version: number, expiresAt: number | undefined): Entry => {
    const entry = sharedEntry(shared(json), version, expiresAt);
    if (expiresAt !== undefined && expiresAt <= now()) remove(key);
    else put(key, entry);
    return entry;
  };
  /**
   * Identical values written back to back (a session's three index entries) share one string:
   * strings are immutable, so sharing is invisible to readers.
   */
  const recent: string[] = [];
  const shared = (json: string): string => {
    for (const candidate of recent) if (candidate === json) return candidate;
    recent.push(json);
    if (recent.length > 4) recent.shift();
    return json;
  };
  /**
   * Entries are never mutated (a write replaces them), so identical ones written back to back (a
   * session's three index entries: same value, version 1, same expiry) are one object.
   */
  const recentEntries: Entry[] = [];
  const sharedEntry = (json: string, version: number, expiresAt: number | undefined): Entry => {
    for (const candidate of recentEntries) {
      if (candidate.json === json && candidate.version === version && candidate.expiresAt === expiresAt)
        return candidate;
    }
    const entry: Entry = { json, version, expiresAt };
    recentEntries.push(entry);
    if (recentEntries.length > 4) recentEntries.shift();
    return entry;
  };
  /**
   * Key rests repeated back to back under different directories (an index entry's
   * `<createdAt>:<id>` under the user, client and all prefixes) are held once, as a flat copy.
   */
  const recentRests: string[] = [];
  const sharedRest = (rest: string): string => {
    for (const candidate of recentRests) if (candidate === rest) return candidate;
    const copy = flat(rest);
    recentRests.push(copy);
    if (recentRests.length > 4) recentRests.shift();
    return copy;
  };
  /** Writes `json` as the next version of the record at `key`. */
  const writeNext = (key: string, json: string, expiresAt: number | undefined): Entry =>
    write(key, json, (live(key)?.version ?? 0) + 1, expiresAt);
  const writeAll = (rows: ReadonlyArray<EncodedEntry>) => {
    for (const { key, json, expiresAt } of rows) writeNext(key, json, expiresAt);
  };
  const compareAndSetMany = async <T>(
    key: string,
    expectedVersion: number | null,
    next: T,
    alsoSet: ReadonlyArray<SetManyEntry>,
    setOptions?: SetOptions,
  ): Promise<StoredRecord<T> | null> => {
    guard.check();
    const { json, expiresAt, rows } = encodeCompareAndSetMany(
      key,
      expectedVersion,
      next,
      alsoSet,
      setOptions,
    );
    const current = live(key);
    if ((current?.version ?? null) !== expectedVersion) return null;
    writeAll(rows);
    return new WrittenRecord<T>(write(key, json, (current?.version ?? 0) + 1, expiresAt));
  };
  const sweep = () => {
    const at = now();
    for (const [dir, group] of groups) {
      for (const [rest, entry] of group) {
        if (entry.expiresAt !== undefined && entry.expiresAt <= at) group.delete(rest);
      }
      if (group.size === 0) groups.delete(dir);
    }
  };
  const sweepEvery = options.sweepIntervalMs ?? 60_000;
  const timer = sweepEvery > 0 ? setInterval(sweep, sweepEvery) : undefined;
  timer?.unref?.();

  return {
    async get<T>(key: string) {
      guard.check();
      assertKey(key);
      const entry = live(key);
      return entry === undefined ? undefined : toRecord<T>(entry, true);
    },
    async set<T>(key: string, value: T, setOptions?: SetOptions) {
      guard.check();
      assertKey(key);
      const expiresAt = expiryOf(setOptions);
      return new WrittenRecord<T>(writeNext(key, encodeJson(value), expiresAt));
    },
    async setMany(entries: ReadonlyArray<SetManyEntry>) {
      guard.check();
      writeAll(encodeEntries(entries));
    },
    compareAndSetMany,
    async delete(key: string) {
      guard.check();
      assertKey(key);
      const existed = live(key) !== undefined;
      remove(key);
      return existed;
    },
    compareAndSet<T>(key: string, expectedVersion: number | null, next: T, setOptions?: SetOptions) {
      return compareAndSetMany(key, expectedVersion, next, [], setOptions);
    },
    async takeOnce<T>(key: string) {
      guard.check();
      assertKey(key);
      const entry = live(key);
      if (entry === undefined) return undefined;
      remove(key);
      return JSON.parse(entry.json) as T;
    },
    async list<T>(prefix: string, listOptions?: ListOptions): Promise<ListResult<T>> {
      guard.check();
      const page = listPage(prefix, listOptions);
      const at = now();
      const found: Array<[string, Entry]> = [];
      const consider = (key: string, entry: Entry) => {
        if (page.after !== undefined && compareKeys(key, page.after) <= 0) return;
        if (entry.expiresAt !== undefined && entry.expiresAt <= at) return;
        found.push([key, entry]);
      };
      for (const [dir, group] of groups) {
        if (dir.startsWith(page.prefix)) {
          for (const [rest, entry] of group) consider(dir + rest, entry);
        } else if (page.prefix.startsWith(dir)) {
          const wanted = page.prefix.slice(dir.length);
          for (const [rest, entry] of group) if (rest.startsWith(wanted)) consider(dir + rest, entry);
        }
      }
      found.sort((a, b) => compareKeys(a[0], b[0]));
      const items = found
        .slice(0, page.limit)
        .map(([key, entry]) => ({ key, record: toRecord<T>(entry, false) }));
      const last = items[items.length - 1]?.key;
      return {
        items,
        nextCursor: found.length > page.limit && last !== undefined ? encodeCursor(last) : null,
      };
    },
    async close() {
      if (guard.close() && timer) clearInterval(timer);
    },
  } satisfies TokenStore;
}
