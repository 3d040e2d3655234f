/** Prometheus metrics: an own registry, event counters and scrape-time collectors. */
export { PlumbMetrics, METRIC_NAMES } from "./metrics.js";
export type { GitOperationSample, MetricsSources } from "./sources.js";
