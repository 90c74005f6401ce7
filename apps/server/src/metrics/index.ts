/**
 * Prometheus metrics for `GET /metrics`, rendered by hand in text format 0.0.4 (no dependency).
 *
 * @example
 * ```ts
 * import { createMetrics, METRICS_CONTENT_TYPE } from "./metrics";
 *
 * const metrics = createMetrics();
 * metrics.observeRequest("/v1/session", "GET", 200, 0.002);
 * metrics.refresh("success");
 * metrics.setActiveSessions(12);
 * const text = metrics.render(); // serve with Content-Type: METRICS_CONTENT_TYPE
 * ```
 *
 * @module
 */
export {
  createMetrics,
  DURATION_BUCKETS,
  escapeLabelValue,
  METRICS_CONTENT_TYPE,
  type Metrics,
  type MetricsOptions,
  type RefreshOutcome,
} from "./metrics";
