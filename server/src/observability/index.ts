export {
  PROMETHEUS_CONTENT_TYPE,
  escapeHelp,
  escapeLabelValue,
  formatValue,
} from "./exposition-format";
export { httpMetrics, UNMATCHED_ROUTE } from "./http-metrics";
export {
  BATCH_SIZE_BUCKETS,
  KilnMetrics,
  type EndpointUsage,
  type ServingMetrics,
} from "./kiln-metrics";
export {
  Counter,
  DEFAULT_LATENCY_BUCKETS,
  Gauge,
  Histogram,
  MetricsRegistry,
  type GaugeOptions,
  type HistogramOptions,
  type Labels,
  type MetricOptions,
} from "./metrics-registry";
export { metricsRoutes } from "./metrics-routes";
