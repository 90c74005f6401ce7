import {
  type AuditEvent,
  type AuditFilter,
  type AuditVerification,
  isSecretKey,
  type ListPage,
  newId,
  redactDeep,
  StoreError,
  ValidationError,
} from "@securecontext/protocol";
import { JsonText, type ListResult, type Lock, type TokenStore } from "@securecontext/token-store";
import {
  auditHash,
  canonicalData,
  canonicalJson,
  computeAuditHash,
  eventJson,
  GENESIS_HASH,
} from "./audit-canonical";

/** What a caller records; the log adds `id`, `at`, `prevHash` and `hash`. */
export interface AuditAppendInput {
  /** Dotted event type, for example `connection.created` or `session.revoked`. */
  type: string;
  /** Who did it: `admin`, `client:cli_…`, `session:ses_…`, `user`, `system`. */
  actor: string;
  outcome: "success" | "failure" | "denied";
  clientId?: string;
  userId?: string;
  connectionId?: string;
  sessionId?: string;
  action?: string;
  ip?: string;
  /** Free-form context. Secret-named keys and secret-shaped strings are redacted before storing. */
  detail?: Record<string, unknown>;
}

/** `list` filter: the `GET /v1/audit-events` query plus the caller's client (clients see only their own). */
export type AuditListFilter = Partial<AuditFilter> & { clientId?: string };

/** Options of {@link createAuditLog}. */
export interface AuditLogOptions {
  records: TokenStore;
  locks: Lock;
  /** Clock (epoch ms); default `Date.now`. */
  now?: () => number;
  /** Key prefix in the store (default `audit:`). */
  prefix?: string;
  /** Lease on the chain head per append (default 5000 ms). */
  lockTtlMs?: number;
  /** How long an append waits for the chain lock before failing with `StoreError` (default 10000 ms). */
  lockWaitMs?: number;
  /**
   * Told of every event passed to `record` that could not be committed (invalid input, store
   * failure), with the caller's `tag`. Default: a process warning.
   */
  onRecordError?: (error: unknown, event: { type: string; tag: string | undefined }) => void;
}

/** A tamper-evident, append-only audit log. */
export interface AuditLog {
  /** Appends one event to the chain and returns it as stored. Safe across instances on one store. */
  append(input: AuditAppendInput): Promise<AuditEvent>;
  /**
   * Queues an event like `append`, for callers that do not use the stored event: nothing is
   * returned and nothing of the caller is kept until the batch commits (a request's handler would
   * otherwise stay reachable through its promise callbacks). A failure goes to `onRecordError` with
   * `tag` (a request id, say).
   */
  record(input: AuditAppendInput, tag?: string): void;
  /**
   * Events matching every given filter, **newest first**, `limit` (1–200, default 50) per page;
   * pass `nextCursor` back as `cursor` for the next (older) page. A page may hold fewer than
   * `limit` items while `nextCursor` is non-null (the scan per call is bounded).
   */
  list(filter?: AuditListFilter): Promise<ListPage<AuditEvent>>;
  /** Recomputes every hash and link; `firstBrokenId` is the oldest event whose hash or link fails. */
  verify(): Promise<AuditVerification>;
  /**
   * Resolves once every append made so far in this process is committed (or has failed). Callers
   * that do not await `append` call this before closing the store, so a clean shutdown loses no
   * event; `list` and `verify` call it first, so they always see this process's own appends.
   */
  flush(): Promise<void>;
}

/**
 * The chain head: the last committed event and, on stores without `compareAndSetMany`, every event
 * of the batch it committed (kept here so a writer that crashed before storing them loses nothing).
 * Without `events` (committed with its batch, or written before appends were batched) `event` is
 * all a repair needs.
 */
interface ChainHead {
  seq: number;
  hash: string;
  atMs: number;
  event: AuditEvent;
  /** The batch this head committed, oldest first; the last one is `event` (seq = `seq`). */
  events?: AuditEvent[];
}

type AuditFields = Omit<AuditEvent, "id" | "at" | "prevHash" | "hash">;

/** A validated append: its fields, and the canonical JSON of its detail (computed once). */
interface ValidAppend {
  fields: AuditFields;
  detailJson: string | undefined;
}

/** A queued event: an `append` (its promise's callbacks) or a `record` (its tag). */
interface PendingAppend extends ValidAppend {
  resolve: ((event: AuditEvent) => void) | undefined;
  reject: ((error: unknown) => void) | undefined;
  tag: string | undefined;
}

/** Most events committed under one lock acquisition (bounds the head record's size). */
const MAX_BATCH = 128;

const SEQ_DIGITS = 15;
const SEQ_CEILING = 10 ** SEQ_DIGITS - 1;
/** Rows per store page when listing (a row holds up to MAX_BATCH events). */
const PAGE_SIZE = 100;
const MAX_SCAN_PER_LIST = 5000;
const MAX_DETAIL_CHARS = 8192;
const OUTCOMES = new Set(["success", "failure", "denied"]);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creates the audit log over a store's `records` and `locks`.
 *
 * Layout: `<prefix>head` holds `{seq, hash, event}` of the last event; the events of each committed
 * batch live in one row, an array oldest first, under `<prefix>ev:<15-digit (10^15-1-seq)>` of its
 * newest event, so the store's ascending key order is newest first. (Rows written before batches
 * were stored as one row hold a single event object; readers take both, and an event found twice
 * counts once.) One row per batch instead of one per event: per-row work dominated an append on
 * every store (map entries in memory, b-tree inserts in SQLite, round trips to Redis).
 * An append takes the `<prefix>lock` lease, reads the head, and commits by compare-and-set on the
 * head (the head write is the commit point, so a writer whose lease lapsed cannot fork the chain).
 * Stores with `compareAndSetMany` (memory, file) write the batch's row in that same atomic step; on
 * others the row follows, the head carries a copy of the batch, and a crash between the two is
 * repaired by the next reader.
 *
 * Appends are batched per process: appends made in one turn of the event loop, and any made while
 * a batch holds the lease, queue up, and the next batch commits all of them (up to 128, in call
 * order) under one lease acquisition and one head compare-and-set, so a crash after the commit
 * loses nothing either way. The lease is therefore only contended across instances, once per batch.
 *
 * @example
 * ```ts
 * const backend = memoryBackend();
 * const audit = createAuditLog({ records: backend.records, locks: backend.locks });
 * await audit.append({ type: "client.created", actor: "admin", outcome: "success", clientId: "cli_…" });
 * (await audit.verify()).valid; // true
 * ```
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { records, locks } = options;
  const now = options.now ?? Date.now;
  const prefix = options.prefix ?? "audit:";
  const lockTtlMs = options.lockTtlMs ?? 5000;
  const lockWaitMs = options.lockWaitMs ?? 10_000;
  const onRecordError =
    options.onRecordError ??
    ((error: unknown, event: { type: string }) =>
      process.emitWarning(`audit event ${event.type} was not recorded: ${(error as Error).message}`));
  const headKey = `${prefix}head`;
  const lockKey = `${prefix}lock`;
  const eventPrefix = `${prefix}ev:`;
  const eventKey = (seq: number) => `${eventPrefix}${String(SEQ_CEILING - seq).padStart(SEQ_DIGITS, "0")}`;
  const seqOfKey = (key: string) => SEQ_CEILING - Number(key.slice(eventPrefix.length));

  let materializedSeq = 0;
  /**
   * The head this process committed last (without any batch copy). The next batch starts from it
   * instead of reading the head back; if another writer moved the head since, the compare-and-set
   * fails and the batch is retried from a fresh read.
   */
  let committedHead: { version: number; seq: number; hash: string; atMs: number } | undefined;
  const pending: PendingAppend[] = [];
  let draining = false;
  /** Resolvers of `flush` calls waiting for the queue to empty. */
  let idleWaiters: Array<() => void> = [];

  /** Makes sure the head's batch is stored (repairs a writer that crashed after its commit). */
  async function materialize(head: ChainHead): Promise<void> {
    if (head.seq <= materializedSeq) return;
    // A batch is one row under its newest event's key. A writer of the one-row-per-event layout
    // that crashed midway may have stored some of this batch's events already: readers count an
    // event once, so the whole batch is written again.
    if ((await records.get(eventKey(head.seq))) === undefined) {
      await records.set(eventKey(head.seq), head.events ?? [head.event]);
    }
    materializedSeq = Math.max(materializedSeq, head.seq);
  }

  async function acquire(): Promise<string> {
    const deadline = Date.now() + lockWaitMs;
    for (let attempt = 0; ; attempt++) {
      const lease = await locks.acquire(lockKey, lockTtlMs);
      if (lease) return lease.token;
      if (Date.now() >= deadline)
        throw new StoreError("audit log is busy: the chain lock was not released in time");
      const backoff = Math.min(50, 2 ** attempt);
      await sleep(backoff / 2 + Math.random() * (backoff / 2));
    }
  }

  /**
   * The chain head once this process's queued appends are committed and the head's batch is stored
   * (what `list` and `verify` read from); undefined for an empty log.
   */
  async function settledHead(): Promise<ChainHead | undefined> {
    await flush();
    const head = await records.get<ChainHead>(headKey);
    if (head === undefined) return undefined;
    await materialize(head.value);
    return head.value;
  }

  /**
   * A committed batch's row: its events oldest first (their JSON texts, see `eventOf`), under the
   * key of its newest (`lastSeq`).
   */
  const batchRow = (storedTexts: string[], lastSeq: number) => ({
    key: eventKey(lastSeq),
    value: new JsonText(jsonArrayOf(storedTexts)),
  });

  /**
   * The stored events of a page of rows, newest first, each with its sequence number (a batch row's
   * key is its newest event's). `below` skips events at or above that number: ones a previous page
   * returned, and second copies (see `materialize`).
   */
  function* eventsOf(
    rows: ListResult<StoredRow>["items"],
    below: number,
  ): Generator<{ seq: number; event: StoredEventLike; key: string }> {
    let floor = below;
    for (const { key, record } of rows) {
      const events: StoredEventLike[] = Array.isArray(record.value) ? record.value : [record.value];
      const newestSeq = seqOfKey(key);
      for (let i = events.length - 1; i >= 0; i--) {
        const seq = newestSeq - (events.length - 1 - i);
        if (seq >= floor) continue;
        floor = seq;
        yield { seq, event: events[i], key };
      }
    }
  }

  /** Commits `batch` (in order) as consecutive events under one lease and one head write. */
  async function appendBatch(batch: ValidAppend[]): Promise<AuditEvent[]> {
    for (;;) {
      const token = await acquire();
      try {
        let base = committedHead;
        if (base === undefined) {
          const head = await records.get<ChainHead>(headKey);
          if (head) {
            await materialize(head.value);
            base = {
              version: head.version,
              seq: head.value.seq,
              hash: head.value.hash,
              atMs: head.value.atMs,
            };
          }
        }
        const firstSeq = (base?.seq ?? 0) + 1;
        let prevHash = base?.hash ?? GENESIS_HASH;
        // `at` never goes backwards along the chain, even when instances' clocks disagree.
        let atMs = base?.atMs ?? 0;
        const events: AuditEvent[] = [];
        const storedTexts: string[] = [];
        let at = "";
        let atOfMs = Number.NaN;
        for (const item of batch) {
          atMs = Math.max(now(), atMs);
          // Events of one batch mostly share their millisecond.
          if (atMs !== atOfMs) {
            atOfMs = atMs;
            at = new Date(atMs).toISOString();
          }
          const event = eventOf(item, newId("auditEvent"), at, prevHash, storedTexts);
          events.push(event);
          prevHash = event.hash;
        }
        const last = events[events.length - 1] as AuditEvent;
        const lastSeq = firstSeq + events.length - 1;
        const head: ChainHead = { seq: lastSeq, hash: last.hash, atMs, event: last };
        // Where the store commits the head and the events in one atomic step, the head needs no
        // copy of the batch (which doubled the bytes written per event).
        const committed = records.compareAndSetMany
          ? await records.compareAndSetMany<ChainHead>(headKey, base?.version ?? null, head, [
              batchRow(storedTexts, lastSeq),
            ])
          : await records.compareAndSet<ChainHead>(headKey, base?.version ?? null, {
              ...head,
              ...(events.length > 1 ? { events } : {}),
            });
        if (committed) {
          // With compareAndSetMany the row was stored with the head; otherwise it follows.
          if (!records.compareAndSetMany) {
            const row = batchRow(storedTexts, lastSeq);
            await records.set(row.key, row.value);
          }
          materializedSeq = Math.max(materializedSeq, lastSeq);
          committedHead = { version: committed.version, seq: lastSeq, hash: last.hash, atMs };
          return events;
        }
        // Another writer committed first (our lease lapsed, or another instance appended since our
        // last batch): read the new head and try again.
        committedHead = undefined;
      } finally {
        await locks.release(lockKey, token).catch(() => false);
      }
    }
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (pending.length > 0) {
        const batch = pending.splice(0, MAX_BATCH);
        try {
          const events = await appendBatch(batch);
          for (const [i, item] of batch.entries()) item.resolve?.(events[i] as AuditEvent);
        } catch (error) {
          for (const item of batch) {
            if (item.reject) item.reject(error);
            else onRecordError(error, { type: item.fields.type, tag: item.tag });
          }
        }
      }
    } finally {
      draining = false;
      if (pending.length > 0) {
        draining = true;
        setImmediate(() => void drain());
      } else {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const wake of waiters) wake();
      }
    }
  }

  function flush(): Promise<void> {
    if (!draining && pending.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => idleWaiters.push(resolve));
  }

  function enqueue(item: PendingAppend): void {
    pending.push(item);
    if (!draining) {
      // Start after the current I/O phase (setImmediate, not a microtask): every request handled
      // in this turn of the event loop joins the batch. On an in-process store a microtask start
      // committed each request's event alone, one lease and one head write per request.
      draining = true;
      setImmediate(() => void drain());
    }
  }

  function append(input: AuditAppendInput): Promise<AuditEvent> {
    // Invalid input throws inside the executor, which rejects the promise.
    return new Promise<AuditEvent>((resolve, reject) => {
      const { fields, detailJson } = validate(input);
      enqueue({ fields, detailJson, resolve, reject, tag: undefined });
    });
  }

  function record(input: AuditAppendInput, tag?: string): void {
    let valid: ValidAppend;
    try {
      valid = validate(input);
    } catch (error) {
      onRecordError(error, { type: String(input.type), tag });
      return;
    }
    enqueue({
      fields: valid.fields,
      detailJson: valid.detailJson,
      resolve: undefined,
      reject: undefined,
      tag,
    });
  }

  async function list(filter: AuditListFilter = {}): Promise<ListPage<AuditEvent>> {
    const limit = filter.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
      throw new ValidationError("limit must be an integer from 1 to 200", { field: "limit" });
    }
    const sinceMs = filter.since === undefined ? undefined : Date.parse(filter.since);
    if (sinceMs !== undefined && Number.isNaN(sinceMs)) {
      throw new ValidationError("since must be an ISO 8601 timestamp", { field: "since" });
    }
    const position = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
    if ((await settledHead()) === undefined) return { items: [], nextCursor: null };

    const matches = (event: AuditEvent) =>
      (filter.userId === undefined || event.userId === filter.userId) &&
      (filter.connectionId === undefined || event.connectionId === filter.connectionId) &&
      (filter.clientId === undefined || event.clientId === filter.clientId) &&
      (filter.type === undefined || event.type === filter.type);

    const items: AuditEvent[] = [];
    let storeCursor = position?.c;
    let lastSeq = position?.s ?? Number.POSITIVE_INFINITY;
    let scanned = 0;
    for (;;) {
      const page = await records.list<StoredRow>(eventPrefix, { cursor: storeCursor, limit: PAGE_SIZE });
      for (const { seq, event: stored } of eventsOf(page.items, lastSeq)) {
        scanned++;
        lastSeq = seq;
        // Something that is not an event (a row damaged in the store) is left to `verify` to name.
        if (stored === null || typeof stored !== "object") continue;
        const event = stored as AuditEvent;
        if (sinceMs !== undefined && Date.parse(event.at) < sinceMs) return { items, nextCursor: null };
        if (!matches(event)) continue;
        items.push(event);
        // The next page reads this store page again (a row may hold more events) from below `seq`.
        if (items.length === limit) return { items, nextCursor: encodeCursor(storeCursor, seq) };
        if (scanned >= MAX_SCAN_PER_LIST) return { items, nextCursor: encodeCursor(storeCursor, seq) };
      }
      if (page.nextCursor === null) return { items, nextCursor: null };
      storeCursor = page.nextCursor;
    }
  }

  async function verify(): Promise<AuditVerification> {
    const head = await settledHead();
    if (head === undefined) return { valid: true, count: 0 };
    let count = 0;
    let broken: { seq: number; id: string } | undefined;
    const mark = (seq: number, id: string) => {
      if (broken === undefined || seq < broken.seq) broken = { seq, id };
    };
    let newer: { seq: number; event: StoredEventLike; id: string } | undefined;
    let cursor: string | undefined;
    do {
      const page = await records.list<StoredRow>(eventPrefix, { cursor, limit: PAGE_SIZE });
      for (const { seq, event, key } of eventsOf(page.items, newer?.seq ?? Number.POSITIVE_INFINITY)) {
        const id = typeof event?.id === "string" ? event.id : key;
        count++;
        if (!hashHolds(event)) mark(seq, id);
        if (newer === undefined) {
          if (seq !== head.seq || event?.hash !== head.hash) mark(seq, id);
        } else if (newer.seq !== seq + 1 || newer.event?.prevHash !== event?.hash) {
          mark(newer.seq, newer.id);
        }
        newer = { seq, event, id };
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    if (newer !== undefined && (newer.seq !== 1 || newer.event?.prevHash !== GENESIS_HASH))
      mark(newer.seq, newer.id);
    return broken === undefined ? { valid: true, count } : { valid: false, count, firstBrokenId: broken.id };
  }

  return { append, record, list, verify, flush };
}

type StoredEventLike = (Partial<AuditEvent> & Record<string, unknown>) | null | undefined;
/** An event row as stored: a batch (oldest first), or one event (rows from before batch rows). */
type StoredRow = StoredEventLike[] | StoredEventLike;

function hashHolds(event: StoredEventLike): boolean {
  if (event === null || typeof event !== "object") return false;
  if (typeof event.hash !== "string" || typeof event.prevHash !== "string") return false;
  return computeAuditHash(event as { prevHash: string } & Record<string, unknown>) === event.hash;
}

/**
 * The event for an append: every member in canonical (sorted) order, absent ones `undefined`, one
 * object shape for every event. Its canonical JSON is written member by member (`eventJson`), and
 * its JSON as stored is that text with `hash` appended (a hex string needs no escaping), so the
 * event is serialized once, not again with its batch.
 */
function eventOf(
  { fields, detailJson }: ValidAppend,
  id: string,
  at: string,
  prevHash: string,
  storedTexts: string[],
): AuditEvent {
  const event = {
    action: fields.action,
    actor: fields.actor,
    at,
    clientId: fields.clientId,
    connectionId: fields.connectionId,
    detail: fields.detail,
    id,
    ip: fields.ip,
    outcome: fields.outcome,
    prevHash,
    sessionId: fields.sessionId,
    type: fields.type,
    userId: fields.userId,
    hash: "",
  };
  const body = eventJson(event, detailJson);
  event.hash = auditHash(prevHash, body);
  storedTexts.push(`${body.slice(0, -1)},"hash":"${event.hash}"}`);
  return event;
}

/**
 * `[a,b,…]` of JSON texts as one flat string: the brackets go onto the first and last items before
 * the join, which writes one flat copy. (Adding them around the joined text made a rope that the
 * store's first string comparison flattened into a second copy of the whole row.)
 */
function jsonArrayOf(texts: string[]): string {
  const last = texts.length - 1;
  if (last < 0) return "[]";
  texts[0] = `[${texts[0]}`;
  texts[last] = `${texts[last]}]`;
  return texts.join(",");
}

/**
 * True for a detail whose members are all booleans, finite numbers or null under names that do not
 * look secret (`{ forceRefresh: false }`, the common case): redaction would change nothing, so its
 * walk is skipped.
 */
function needsNoRedaction(detail: Record<string, unknown>): boolean {
  if (typeof detail !== "object" || detail === null || Object.getPrototypeOf(detail) !== Object.prototype)
    return false;
  for (const key in detail) {
    const value = detail[key];
    const plain =
      value === undefined ||
      value === null ||
      typeof value === "boolean" ||
      (typeof value === "number" && Number.isFinite(value));
    if (!plain || isSecretKey(key)) return false;
  }
  return true;
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== "string" || value.length === 0 || value.length > max) {
    throw new ValidationError(`audit ${field} must be a string of 1–${max} characters`, { field });
  }
  return value;
}

function optionalText(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : text(value, field, 256);
}

function validate(input: AuditAppendInput): ValidAppend {
  const type = text(input.type, "type", 128);
  const actor = text(input.actor, "actor", 128);
  if (!OUTCOMES.has(input.outcome)) {
    throw new ValidationError("audit outcome must be success, failure or denied", { field: "outcome" });
  }
  // Every member written, absent ones undefined: one object shape for every event.
  const fields: AuditFields = {
    type,
    actor,
    outcome: input.outcome,
    clientId: optionalText(input.clientId, "clientId"),
    userId: optionalText(input.userId, "userId"),
    connectionId: optionalText(input.connectionId, "connectionId"),
    sessionId: optionalText(input.sessionId, "sessionId"),
    action: optionalText(input.action, "action"),
    ip: optionalText(input.ip, "ip"),
    detail: undefined,
  };
  if (input.detail === undefined) return { fields, detailJson: undefined };
  let copy: { data: unknown; native: boolean };
  try {
    // Stored and hashed as the same plain data, so `verify` recomputes exactly this hash.
    const safe = needsNoRedaction(input.detail) ? input.detail : redactDeep(input.detail, { maxDepth: 6 });
    copy = canonicalData(safe);
  } catch (error) {
    throw new ValidationError("audit detail must be JSON data", { field: "detail", cause: error });
  }
  const detail = copy.data as Record<string, unknown> | undefined;
  if (detail === undefined) return { fields, detailJson: undefined };
  const detailJson = copy.native ? JSON.stringify(detail) : canonicalJson(detail);
  if (detailJson.length > MAX_DETAIL_CHARS) {
    fields.detail = { truncated: true };
    return { fields, detailJson: JSON.stringify(fields.detail) };
  }
  fields.detail = detail;
  return { fields, detailJson };
}

function encodeCursor(storeCursor: string | undefined, beforeSeq: number): string {
  return Buffer.from(JSON.stringify({ c: storeCursor, s: beforeSeq }), "utf8").toString("base64url");
}

function decodeCursor(cursor: string): { c: string | undefined; s: number } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as {
      c?: unknown;
      s?: unknown;
    };
    if ((parsed.c === undefined || typeof parsed.c === "string") && Number.isSafeInteger(parsed.s)) {
      return { c: parsed.c as string | undefined, s: parsed.s as number };
    }
  } catch {
    // fall through
  }
  throw new ValidationError("cursor is not one this endpoint returned", { field: "cursor" });
}
