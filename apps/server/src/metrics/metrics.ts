import { scrubString } from "@securecontext/protocol";

/** `Content-Type` of {@link Metrics.render}'s output (Prometheus text exposition 0.0.4). */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Latency histogram buckets in seconds (5 ms … 10 s). */
export const DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Outcomes of a token refresh. */
export type RefreshOutcome = "success" | "transient_failure" | "reauth" | "skipped";

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Distinct route label values kept before new ones are folded into `route="other"` (default 500). */
  maxRoutes?: number;
  /** Process memory and CPU readers (tests inject fixed values). */
  process?: { rssBytes(): number; heapUsedBytes(): number; cpuSeconds(): number; uptimeSeconds(): number };
  /** Clock (epoch ms) for the process start time; default `Date.now`. */
  now?: () => number;
}

/** In-process metrics with a Prometheus text renderer. */
export interface Metrics {
  /** Records one HTTP request. `route` is the route pattern (`/v1/connections/:id`), never the raw path. */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  /** Counts one token refresh by outcome. */
  refresh(outcome: RefreshOutcome): void;
  /** Sets the number of live sessions. */
  setActiveSessions(n: number): void;
  /** The Prometheus text exposition (format 0.0.4) of every metric. */
  render(): string;
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const REFRESH_OUTCOMES: readonly RefreshOutcome[] = ["success", "transient_failure", "reauth", "skipped"];
// SCP ids (SPEC §1) that a careless caller might pass inside a "route".
const ID_PATTERN = /\b(?:cli|con|cr|ses|wft|run|whk|aud|evt)_[0-9A-Za-z]{8,}/g;

/** Escapes a label value: backslash, double quote and newline (Prometheus text format). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function labels(pairs: Record<string, string>): string {
  const body = Object.entries(pairs)
    .map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
    .join(",");
  return body === "" ? "" : `{${body}}`;
}

/** Requests of one route pattern and method: counts by status and the latency histogram. */
interface RouteMethodStats {
  route: string;
  method: string;
  /** By status code (0: not a valid code, rendered `unknown`). */
  statuses: Map<number, { status: string; count: number }>;
  /** Observations per bucket alone (not cumulative: render adds them up), one increment per request. */
  bucketCounts: number[];
  sum: number;
  count: number;
}

const defaultProcess = {
  rssBytes: () => process.memoryUsage.rss(),
  heapUsedBytes: () => process.memoryUsage().heapUsed,
  cpuSeconds: () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  },
  uptimeSeconds: () => process.uptime(),
};

/**
 * Hand-rolled Prometheus metrics (no dependency): `scp_http_requests_total{route,method,status}`,
 * `scp_http_request_duration_seconds{route,method}` (histogram, {@link DURATION_BUCKETS}),
 * `scp_token_refreshes_total{outcome}`, `scp_active_sessions`, and process metrics
 * (`process_resident_memory_bytes`, `process_heap_used_bytes`, `process_cpu_seconds_total`,
 * `process_uptime_seconds`, `process_start_time_seconds`).
 *
 * Route labels are defended against misuse: SCP ids inside them become `:id`, secret-shaped
 * strings are cut out, and beyond `maxRoutes` distinct routes new ones count as `other`, so a
 * raw path can never explode cardinality or leak a token into a label.
 *
 * @example
 * ```ts
 * const metrics = createMetrics();
 * metrics.observeRequest("/v1/connections/:id/token", "POST", 200, 0.004);
 * c.header("Content-Type", METRICS_CONTENT_TYPE);
 * return c.body(metrics.render());
 * ```
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const maxRoutes = options.maxRoutes ?? 500;
  const proc = options.process ?? defaultProcess;
  const now = options.now ?? Date.now;
  const startTimeSeconds = (now() - proc.uptimeSeconds() * 1000) / 1000;
  /** Route label → method → stats: the labels are remembered strings, so no key is built per request. */
  const stats = new Map<string, Map<string, RouteMethodStats>>();
  const routes = new Set<string>();
  const refreshes = new Map<RefreshOutcome, number>(REFRESH_OUTCOMES.map((outcome) => [outcome, 0]));
  let activeSessions = 0;

  /**
   * The label of a route string, remembered per string (bounded like the labels): the scrub and id
   * rewrite would otherwise run on every request for the same few dozen route patterns.
   */
  const labelOf = new Map<string, string>();
  const routeLabel = (route: string): string => {
    const known = labelOf.get(route);
    if (known !== undefined) return known;
    const cleaned = scrubString(route).replace(ID_PATTERN, ":id").slice(0, 200) || "unknown";
    let label = cleaned;
    if (!routes.has(cleaned)) {
      if (routes.size >= maxRoutes) label = "other";
      else routes.add(cleaned);
    }
    if (labelOf.size < maxRoutes * 2) labelOf.set(route, label);
    return label;
  };

  return {
    observeRequest(route, method, status, seconds) {
      const r = routeLabel(String(route));
      const upper = METHODS.has(method) ? method : String(method).toUpperCase();
      const m = METHODS.has(upper) ? upper : "OTHER";
      let byMethod = stats.get(r);
      if (byMethod === undefined) {
        byMethod = new Map();
        stats.set(r, byMethod);
      }
      let entry = byMethod.get(m);
      if (entry === undefined) {
        entry = {
          route: r,
          method: m,
          statuses: new Map(),
          bucketCounts: DURATION_BUCKETS.map(() => 0),
          sum: 0,
          count: 0,
        };
        byMethod.set(m, entry);
      }
      const code = Number.isInteger(status) && status >= 100 && status <= 599 ? status : 0;
      let counter = entry.statuses.get(code);
      if (counter === undefined) {
        counter = { status: code === 0 ? "unknown" : String(code), count: 0 };
        entry.statuses.set(code, counter);
      }
      counter.count++;

      const value = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
      for (let index = 0; index < DURATION_BUCKETS.length; index++) {
        if (value <= (DURATION_BUCKETS[index] as number)) {
          entry.bucketCounts[index] = (entry.bucketCounts[index] ?? 0) + 1;
          break;
        }
      }
      entry.sum += value;
      entry.count++;
    },
    refresh(outcome) {
      if (refreshes.has(outcome)) refreshes.set(outcome, (refreshes.get(outcome) ?? 0) + 1);
    },
    setActiveSessions(n) {
      activeSessions = Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
    },
    render() {
      const out: string[] = [];
      const header = (name: string, type: string, help: string) => {
        out.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
      };

      header("scp_http_requests_total", "counter", "HTTP requests by route pattern, method and status.");
      for (const byMethod of stats.values()) {
        for (const { route, method, statuses } of byMethod.values()) {
          for (const { status, count } of statuses.values())
            out.push(`scp_http_requests_total${labels({ route, method, status })} ${count}`);
        }
      }

      header("scp_http_request_duration_seconds", "histogram", "HTTP request latency in seconds.");
      for (const byMethod of stats.values()) {
        for (const { route, method, bucketCounts, sum, count } of byMethod.values()) {
          let cumulative = 0;
          DURATION_BUCKETS.forEach((bound, index) => {
            cumulative += bucketCounts[index] ?? 0;
            const le = formatNumber(bound);
            out.push(
              `scp_http_request_duration_seconds_bucket${labels({ route, method, le })} ${cumulative}`,
            );
          });
          out.push(
            `scp_http_request_duration_seconds_bucket${labels({ route, method, le: "+Inf" })} ${count}`,
            `scp_http_request_duration_seconds_sum${labels({ route, method })} ${formatNumber(sum)}`,
            `scp_http_request_duration_seconds_count${labels({ route, method })} ${count}`,
          );
        }
      }

      header("scp_token_refreshes_total", "counter", "Token refreshes by outcome.");
      for (const [outcome, count] of refreshes)
        out.push(`scp_token_refreshes_total${labels({ outcome })} ${count}`);

      header("scp_active_sessions", "gauge", "Live (unexpired, unrevoked) sessions.");
      out.push(`scp_active_sessions ${activeSessions}`);

      header("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
      out.push(`process_resident_memory_bytes ${formatNumber(proc.rssBytes())}`);
      header("process_heap_used_bytes", "gauge", "V8 heap in use, in bytes.");
      out.push(`process_heap_used_bytes ${formatNumber(proc.heapUsedBytes())}`);
      header("process_cpu_seconds_total", "counter", "User and system CPU time in seconds.");
      out.push(`process_cpu_seconds_total ${formatNumber(proc.cpuSeconds())}`);
      header("process_uptime_seconds", "gauge", "Seconds since the process started.");
      out.push(`process_uptime_seconds ${formatNumber(proc.uptimeSeconds())}`);
      header(
        "process_start_time_seconds",
        "gauge",
        "Start time of the process since the Unix epoch in seconds.",
      );
      out.push(`process_start_time_seconds ${formatNumber(Math.round(startTimeSeconds))}`);

      return `${out.join("\n")}\n`;
    },
  };
}
