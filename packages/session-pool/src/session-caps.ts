import { ConflictError, RateLimitedError, StoreError } from "@securecontext/protocol";
import type { PoolContext } from "./context";
import { sleep } from "./timing";

/** Live-session counts bucketed by the minute a session expires; expired buckets drop out by themselves. */
interface CapRecord {
  buckets: Record<string, number>;
}

const BUCKET_MS = 60_000;
const MAX_ATTEMPTS = 100;

const bucketOf = (expiresAt: number) => String(Math.ceil(expiresAt / BUCKET_MS));

export type CapKind = "perUser" | "global";

/**
 * Counts of live sessions for the caps, kept with compare-and-set so concurrent creators on every
 * instance never exceed them. A session counts until the end of the minute it expires in (a cap is
 * at most one minute conservative); revocation frees its slot at once.
 */
export function createSessionCaps(context: PoolContext) {
  const { store, options } = context;

  const prune = (record: CapRecord | undefined, now: number): Record<string, number> => {
    const buckets: Record<string, number> = {};
    for (const [bucket, count] of Object.entries(record?.buckets ?? {})) {
      if (Number(bucket) * BUCKET_MS > now && count > 0) buckets[bucket] = count;
    }
    return buckets;
  };

  /** Applies `change` to the counts at `key` atomically; `change` may throw to refuse. */
  const modify = async (key: string, change: (buckets: Record<string, number>, now: number) => void) => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await store.records.get<CapRecord>(key);
      const now = options.now();
      const buckets = prune(current?.value, now);
      change(buckets, now);
      const last = Math.max(0, ...Object.keys(buckets).map(Number));
      const expiresAt = last > 0 ? last * BUCKET_MS : now + BUCKET_MS;
      const written = await store.records.compareAndSet<CapRecord>(
        key,
        current?.version ?? null,
        { buckets },
        { expiresAt },
      );
      if (written) return;
      await sleep(Math.random() * Math.min(50, 2 + attempt * 2));
    }
    throw new StoreError("too many concurrent session changes; try again");
  };

  const refuse = (kind: CapKind, limit: number, buckets: Record<string, number>, now: number): never => {
    const first = Math.min(...Object.keys(buckets).map(Number));
    const retryAfter = Math.max(1, Math.ceil((first * BUCKET_MS - now) / 1000));
    if (kind === "perUser") {
      throw new ConflictError(
        `the user already has ${limit} live sessions, the most allowed; revoke one first`,
        {
          extra: { cap: "perUser", limit },
        },
      );
    }
    throw new RateLimitedError(`the server holds ${limit} live sessions, the most allowed; try again later`, {
      retryAfter,
      extra: { cap: "global", limit },
    });
  };

  const reserveOne = (key: string, kind: CapKind, limit: number, expiresAt: number) =>
    modify(key, (buckets, now) => {
      const live = Object.values(buckets).reduce((sum, count) => sum + count, 0);
      if (live >= limit) refuse(kind, limit, buckets, now);
      const bucket = bucketOf(expiresAt);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    });

  const releaseOne = (key: string, expiresAt: number) =>
    modify(key, (buckets) => {
      const bucket = bucketOf(expiresAt);
      if (buckets[bucket]) buckets[bucket] -= 1;
    });

  const moveOne = (key: string, from: number, to: number) =>
    modify(key, (buckets) => {
      const old = bucketOf(from);
      if (buckets[old]) buckets[old] -= 1;
      const bucket = bucketOf(to);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    });

  const targets = (userId: string) => {
    const list: Array<{ key: string; kind: CapKind; limit: number }> = [];
    if (options.sessionCaps.perUser !== undefined) {
      list.push({
        key: context.keys.sessionCapUser(userId),
        kind: "perUser",
        limit: options.sessionCaps.perUser,
      });
    }
    if (options.sessionCaps.global !== undefined) {
      list.push({ key: context.keys.sessionCapGlobal(), kind: "global", limit: options.sessionCaps.global });
    }
    return list;
  };

  return {
    /** Takes a slot under every cap or none (throws ConflictError / RateLimitedError). */
    async reserve(userId: string, expiresAt: number): Promise<void> {
      const taken: string[] = [];
      try {
        for (const target of targets(userId)) {
          await reserveOne(target.key, target.kind, target.limit, expiresAt);
          taken.push(target.key);
        }
      } catch (error) {
        await Promise.allSettled(taken.map((key) => releaseOne(key, expiresAt)));
        throw error;
      }
    },
    async release(userId: string, expiresAt: number): Promise<void> {
      await Promise.all(targets(userId).map((target) => releaseOne(target.key, expiresAt)));
    },
    async move(userId: string, from: number, to: number): Promise<void> {
      if (bucketOf(from) === bucketOf(to)) return;
      await Promise.all(targets(userId).map((target) => moveOne(target.key, from, to)));
    },
  };
}
