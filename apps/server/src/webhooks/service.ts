import {
  type CreatedWebhook,
  type CreateWebhookBody,
  createWebhookBodySchema,
  type ListPage,
  newId,
  newSecret,
  parseOrThrow,
  ValidationError,
  type Webhook,
  type WebhookEvent,
  type WebhookEventType,
  webhookEventTypeSchema,
} from "@securecontext/protocol";
import type { Lock, TokenStore } from "@securecontext/token-store";
import type { Logger } from "pino";
import { DEFAULT_RETRY_POLICY, parseRetryAfter, type RetryPolicy, retryDelayMs } from "./backoff";
import { signWebhook } from "./signature";

/** The logger methods the service uses (a pino logger fits). */
export type WebhookLogger = Pick<Logger, "debug" | "info" | "warn" | "error">;

/** Options of {@link createWebhookService}. */
export interface WebhookServiceOptions {
  records: TokenStore;
  locks: Lock;
  logger: WebhookLogger;
  /** HTTP client (default global `fetch`). */
  fetch?: typeof fetch;
  /** Clock (epoch ms); default `Date.now`. */
  now?: () => number;
  /** Retry policy; missing fields take {@link DEFAULT_RETRY_POLICY}'s values. */
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout (default 10 000 ms). */
  timeoutMs?: number;
  /** How often the outbox is scanned for entries other instances wrote (default 1000 ms). */
  pollIntervalMs?: number;
  /** Deliveries in flight per instance (default 8). */
  concurrency?: number;
  /** Key prefix in the store (default `webhooks:`). */
  prefix?: string;
  /** Jitter source in [0, 1) (default `Math.random`). */
  random?: () => number;
}

/** Webhook subscriptions plus a persisted, retried, multi-instance-safe delivery outbox. */
export interface WebhookService {
  /** Stores a subscription; the response is the only time `secret` is shown. */
  create(body: CreateWebhookBody & { secret?: string }): Promise<CreatedWebhook>;
  /** Subscriptions without their secrets, in key order. */
  list(options?: { limit?: number; cursor?: string }): Promise<ListPage<Webhook>>;
  /** Removes a subscription (pending deliveries to it are dropped); true when it existed. */
  delete(id: string): Promise<boolean>;
  /**
   * Persists one outbox entry per subscription whose `events` include `type` or `*`, wakes the
   * delivery loop and returns the event. Only store writes are awaited, never a receiver.
   */
  emit(type: WebhookEventType, data: Record<string, unknown>): Promise<WebhookEvent>;
  /** Starts the delivery loop (idempotent). */
  start(): void;
  /** Stops the loop and waits for in-flight deliveries (each bounded by the attempt timeout). */
  close(): Promise<void>;
}

interface StoredWebhook extends Webhook {
  secret: string;
}

interface OutboxEntry {
  eventId: string;
  webhookId: string;
  type: string;
  /** The exact JSON body, so every attempt sends the same bytes. */
  body: string;
  /** Attempts made so far. */
  attempt: number;
}

type AttemptResult =
  | { ok: true; status: number }
  | { ok: false; retryable: boolean; status?: number; error?: string; retryAfterMs?: number };

const DUE_DIGITS = 15;
const DEAD_LETTER_TTL_MS = 7 * 24 * 60 * 60 * 1000;

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    return typeof cause?.code === "string"
      ? `${error.name}: ${cause.code}`
      : `${error.name}: ${error.message}`;
  }
  return String(error);
}

/** Origin of a receiver URL for logs: never its path, query or credentials. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid url)";
  }
}

/**
 * Creates the webhook service.
 *
 * Store layout (under `prefix`): `sub:<whk_id>` subscriptions (with their signing secret, needed
 * to sign), `out:<due epoch ms, 15 digits>:<evt_id>:<whk_id>` outbox entries in due order, and
 * `dead:<evt_id>:<whk_id>` entries that gave up (kept 7 days). The loop lists due entries, claims
 * each `(event, webhook)` pair with a lease (`claim:<evt_id>:<whk_id>`) so exactly one instance
 * attempts it, re-reads the entry (another instance may have finished it), POSTs, and then
 * deletes the entry, reschedules it under a later due key, or moves it to `dead:`.
 * Delivery is at-least-once: a crash after a receiver answered but before the entry was removed
 * repeats the delivery with the same `id` and `SCP-Event-Id`, which receivers dedupe on.
 *
 * Requests: `POST` with `Content-Type: application/json`, `SCP-Signature: t=…,v1=…`,
 * `SCP-Event-Id`, no redirects followed, `timeoutMs` per attempt. 2xx is success; network
 * errors, timeouts, 5xx and 429 (honouring `Retry-After`) are retried with exponential back-off
 * and jitter; any other status gives up at once.
 *
 * @example
 * ```ts
 * const webhooks = createWebhookService({ records, locks, logger });
 * webhooks.start();
 * const { id, secret } = await webhooks.create({ url: "https://app.example.com/hooks", events: ["*"] });
 * await webhooks.emit("connection.created", { connectionId: "con_…", userId: "u1" });
 * await webhooks.close();
 * ```
 */
export function createWebhookService(options: WebhookServiceOptions): WebhookService {
  const { records, locks, logger } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const prefix = options.prefix ?? "webhooks:";
  const random = options.random ?? Math.random;
  const claimTtlMs = timeoutMs + 30_000;

  const subPrefix = `${prefix}sub:`;
  const outPrefix = `${prefix}out:`;
  const subKey = (id: string) => `${subPrefix}${id}`;
  const outKey = (dueAt: number, eventId: string, webhookId: string) =>
    `${outPrefix}${String(Math.max(0, Math.floor(dueAt))).padStart(DUE_DIGITS, "0")}:${eventId}:${webhookId}`;
  const dueOfKey = (key: string) => Number(key.slice(outPrefix.length, outPrefix.length + DUE_DIGITS));
  const pairOf = (entry: OutboxEntry) => `${entry.eventId}:${entry.webhookId}`;

  let running = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let wakeAgain = false;
  const inflight = new Set<Promise<void>>();
  const localClaims = new Set<string>();
  /** Pairs another instance holds (or that hit a store error): not retried here before the given time. */
  const cooling = new Map<string, number>();

  const publicView = ({ secret: _secret, ...webhook }: StoredWebhook): Webhook => webhook;

  async function create(body: CreateWebhookBody & { secret?: string }): Promise<CreatedWebhook> {
    const { secret, ...rest } = body ?? ({} as CreateWebhookBody);
    const parsed = parseOrThrow(createWebhookBodySchema, rest, "body");
    if (secret !== undefined && (typeof secret !== "string" || secret.length < 16 || secret.length > 256)) {
      throw new ValidationError("secret must be a string of 16–256 characters", { field: "body.secret" });
    }
    const stored: StoredWebhook = {
      id: newId("webhook"),
      url: parsed.url,
      events: [...new Set(parsed.events)],
      createdAt: new Date(now()).toISOString(),
      secret: secret ?? newSecret("webhookSecret"),
    };
    await records.set(subKey(stored.id), stored);
    return { ...publicView(stored), secret: stored.secret };
  }

  async function list(page: { limit?: number; cursor?: string } = {}): Promise<ListPage<Webhook>> {
    const result = await records.list<StoredWebhook>(subPrefix, {
      limit: page.limit ?? 100,
      cursor: page.cursor,
    });
    return {
      items: result.items.map(({ record }) => publicView(record.value)),
      nextCursor: result.nextCursor,
    };
  }

  async function remove(id: string): Promise<boolean> {
    if (typeof id !== "string" || !/^whk_[0-9A-Za-z]{22,64}$/.test(id)) return false;
    return records.delete(subKey(id));
  }

  async function allSubscriptions(): Promise<StoredWebhook[]> {
    const out: StoredWebhook[] = [];
    let cursor: string | undefined;
    do {
      const page = await records.list<StoredWebhook>(subPrefix, { cursor, limit: 1000 });
      out.push(...page.items.map(({ record }) => record.value));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return out;
  }

  async function emit(type: WebhookEventType, data: Record<string, unknown>): Promise<WebhookEvent> {
    const eventType = parseOrThrow(webhookEventTypeSchema, type, "type");
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
      throw new ValidationError("data must be an object", { field: "data" });
    }
    const event: WebhookEvent = {
      id: newId("event"),
      type: eventType,
      createdAt: new Date(now()).toISOString(),
      data,
    };
    const body = JSON.stringify(event);
    const subscribers = (await allSubscriptions()).filter(
      (sub) => sub.events.includes("*") || sub.events.includes(eventType),
    );
    const dueAt = now();
    await Promise.all(
      subscribers.map((sub) =>
        records.set<OutboxEntry>(outKey(dueAt, event.id, sub.id), {
          eventId: event.id,
          webhookId: sub.id,
          type: eventType,
          body,
          attempt: 0,
        }),
      ),
    );
    if (subscribers.length > 0) wake();
    return event;
  }

  async function attempt(sub: StoredWebhook, entry: OutboxEntry): Promise<AttemptResult> {
    try {
      const response = await fetchImpl(sub.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "SecureContext-Webhooks/1.0",
          "scp-signature": signWebhook(sub.secret, entry.body, Math.floor(now() / 1000)),
          "scp-event-id": entry.eventId,
        },
        body: entry.body,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      const status = response.status;
      if (status >= 200 && status < 300) return { ok: true, status };
      const retryable = status === 429 || status >= 500;
      return {
        ok: false,
        retryable,
        status,
        retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), now()),
      };
    } catch (error) {
      return { ok: false, retryable: true, error: describeError(error) };
    }
  }

  /** One attempt at one outbox entry; false when another instance holds it. */
  async function deliver(key: string, entry: OutboxEntry): Promise<boolean> {
    const claimKey = `${prefix}claim:${pairOf(entry)}`;
    const lease = await locks.acquire(claimKey, claimTtlMs);
    if (!lease) return false;
    try {
      const current = await records.get<OutboxEntry>(key);
      if (!current) return true; // finished or rescheduled by another instance
      const sub = await records.get<StoredWebhook>(subKey(entry.webhookId));
      const context = { webhookId: entry.webhookId, eventId: entry.eventId, type: entry.type };
      if (!sub) {
        await records.delete(key);
        logger.info(context, "webhook deleted; dropping pending delivery");
        return true;
      }
      const attemptNumber = current.value.attempt + 1;
      const result = await attempt(sub.value, current.value);
      const detail = { ...context, receiver: originOf(sub.value.url), attempt: attemptNumber };
      if (result.ok) {
        await records.delete(key);
        logger.debug({ ...detail, status: result.status }, "webhook delivered");
        return true;
      }
      const failure = { ...detail, status: result.status, error: result.error };
      if (result.retryable && attemptNumber < policy.attempts) {
        const backoff = retryDelayMs(attemptNumber, policy, random);
        const delay = Math.min(policy.maxDelayMs, Math.max(backoff, result.retryAfterMs ?? 0));
        await records.set<OutboxEntry>(outKey(now() + delay, entry.eventId, entry.webhookId), {
          ...current.value,
          attempt: attemptNumber,
        });
        await records.delete(key);
        logger.info({ ...failure, retryInMs: delay }, "webhook delivery failed; will retry");
        return true;
      }
      await records.set(
        `${prefix}dead:${pairOf(entry)}`,
        {
          ...current.value,
          attempt: attemptNumber,
          lastStatus: result.status,
          lastError: result.error,
          failedAt: now(),
        },
        { expiresAt: now() + DEAD_LETTER_TTL_MS },
      );
      await records.delete(key);
      logger.warn(
        failure,
        result.retryable ? "webhook delivery gave up after the last attempt" : "webhook rejected",
      );
      return true;
    } finally {
      await locks.release(claimKey, lease.token).catch(() => false);
    }
  }

  function launch(key: string, entry: OutboxEntry): void {
    const pair = pairOf(entry);
    localClaims.add(pair);
    const run = deliver(key, entry)
      .catch((error: unknown) => {
        logger.error(
          { eventId: entry.eventId, webhookId: entry.webhookId, error: describeError(error) },
          "webhook delivery error",
        );
        return false;
      })
      .then((progressed) => {
        inflight.delete(run);
        localClaims.delete(pair);
        if (progressed) wake();
        else cooling.set(pair, now() + pollIntervalMs);
      });
    inflight.add(run);
  }

  /** Launches every due entry (up to the concurrency limit); returns when the next one is due. */
  async function scan(): Promise<number> {
    for (const [pair, until] of cooling) if (until <= now()) cooling.delete(pair);
    let cursor: string | undefined;
    do {
      const page = await records.list<OutboxEntry>(outPrefix, { cursor, limit: 200 });
      for (const { key, record } of page.items) {
        const due = dueOfKey(key);
        if (due > now()) return due;
        if (!running || inflight.size >= concurrency) return Number.POSITIVE_INFINITY; // a finishing delivery wakes us
        const pair = pairOf(record.value);
        if (localClaims.has(pair)) continue;
        const coolUntil = cooling.get(pair);
        if (coolUntil !== undefined) {
          if (coolUntil > now()) continue;
          cooling.delete(pair);
        }
        launch(key, record.value);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return Number.POSITIVE_INFINITY;
  }

  function schedule(delayMs: number): void {
    if (!running) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(tick, Math.max(0, Math.min(delayMs, pollIntervalMs)));
    timer.unref?.();
  }

  function tick(): void {
    timer = undefined;
    if (!running || ticking) return;
    wakeAgain = false;
    ticking = scan()
      .catch((error: unknown) => {
        logger.warn({ error: describeError(error) }, "webhook outbox scan failed");
        return Number.POSITIVE_INFINITY;
      })
      .then((nextDue) => {
        ticking = undefined;
        schedule(wakeAgain ? 0 : nextDue - now());
      });
  }

  function wake(): void {
    if (!running) return;
    if (ticking) wakeAgain = true;
    else schedule(0);
  }

  return {
    create,
    list,
    delete: remove,
    emit,
    start() {
      if (running || closed) return;
      running = true;
      schedule(0);
    },
    async close() {
      closed = true;
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await ticking;
      await Promise.allSettled([...inflight]);
    },
  };
}
