// Monitoring reports: an endpoint's drift, data quality, performance, usage and action log as a
// self-contained HTML page (served by the server) or fragment (shown inline by `kiln.report`).
export { report, type ReportOptions } from "./show-report";
export { renderReport, renderReportFragment } from "./render-report";
export {
  fetchReportData,
  reportDataUrl,
  DEFAULT_SERVER_URL,
  type ReportSource,
  type FetchReportOptions,
} from "./fetch-report-data";
export { ReportFetchError } from "./errors";
export {
  driftDistributions,
  equalWidthEdges,
  DEFAULT_DISTRIBUTION_BINS,
} from "./drift-distributions";
export { findTslabDisplay, type HtmlDisplay, type ModuleCache } from "./tslab-display";
export { isUnavailable } from "./report-data";
export type {
  MonitoringReportData,
  ReportSection,
  Unavailable,
  Histogram,
  NumericalDistribution,
  CategoricalDistribution,
  FeatureDistribution,
  DriftSection,
  PerformanceChunk,
  PerformanceSection,
  UsageDay,
  UsageSection,
  MonitoringActionEntry,
} from "./report-data";
