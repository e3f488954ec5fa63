/**
 * What a monitoring report shows, as plain JSON: the server gathers it for an endpoint
 * (`GET /api/endpoints/{name}/report.json`) and {@link renderReport} turns it into HTML. Every
 * section is optional; in place of a section the server can say why it has none
 * (`{ unavailable: "no labels received yet" }`), and the report shows that note.
 *
 * @example
 * ```ts
 * const drift = detectDrift(reference, window);
 * const data: MonitoringReportData = {
 *   endpoint: "wafer-quality",
 *   model: { name: "wafer-model", version: "3", pipeline: { name: "wafer", version: "7" } },
 *   generatedAt: new Date().toISOString(),
 *   window: { rows: 500 },
 *   drift: { ...drift, distributions: driftDistributions(reference, window, drift) },
 *   performance: { unavailable: "no labels received yet" },
 * };
 * ```
 */
import type { ValidationResult } from "../../quality/validation-result";
import type { DriftReport } from "../drift/drift-report";

/** In place of a section: why the server could not produce it. */
export type Unavailable = { unavailable: string };

/** A section's data, or why it is not available. */
export type ReportSection<T> = T | Unavailable;

/** Counts per bin: bin i is [edges[i], edges[i + 1]), the last bin closed. */
export type Histogram = { edges: number[]; counts: number[] };

/** A numerical feature's values in the reference and the current window, binned alike. */
export type NumericalDistribution = { reference: Histogram; current: Histogram };

/** A categorical feature's counts per category in the reference and the current window. */
export type CategoricalDistribution = {
  categories: string[];
  reference: number[];
  current: number[];
};

/** The distribution plotted for one feature. */
export type FeatureDistribution = NumericalDistribution | CategoricalDistribution;

/** Drift of the window against the reference, with the distributions to plot per feature. */
export type DriftSection = DriftReport & {
  /** Feature name → its distributions (see `driftDistributions`); features left out get no plot. */
  distributions?: Record<string, FeatureDistribution>;
};

/** Model performance over one chunk of labelled predictions. */
export type PerformanceChunk = {
  /** When the chunk starts (ISO-8601), or a label such as a row range. */
  start: string;
  end?: string;
  /** Labelled rows in the chunk. */
  rows: number;
  /** Metric name → value; null when the chunk could not measure it (e.g. AUC with one class). */
  metrics: Record<string, number | null>;
  /** An alert on the chunk: true for every metric, or the names of the metrics that alerted. */
  alert?: boolean | string[];
};

/** Performance over time (chunks oldest first), with the band outside which a metric alerts. */
export type PerformanceSection = {
  /** e.g. "regression", "binary_classification", "autoencoder". */
  task: string;
  chunks: PerformanceChunk[];
  /** Metric name → its acceptable range; points outside it are marked as alerts. */
  band?: Record<string, { lower: number; upper: number }>;
};

/** One day of an endpoint's traffic. */
export type UsageDay = {
  /** The day, `YYYY-MM-DD` (UTC). */
  day: string;
  requests: number;
  rows: number;
  /** Requests answered with an error. */
  errors: number;
  /** Rows answered by the fallback model. */
  fallbackRows: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  /** Model version → requests it answered. */
  byVersion?: Record<string, number>;
};

/** Traffic per day, oldest first. */
export type UsageSection = { days: UsageDay[] };

/** One entry of the monitoring action log (a check, alert, webhook delivery or retraining). */
export type MonitoringActionEntry = {
  at: string;
  kind: string;
  /** Why it happened: the conditions that held, "schedule", or "requested". */
  reason: string;
  /** What came of it; a retraining's `decision` is `promoted`, `kept-champion` or `failed`. */
  details: Record<string, unknown>;
};

/** Everything a monitoring report of one endpoint shows. JSON-serializable. */
export type MonitoringReportData = {
  endpoint: string;
  model: { name: string; version: string; pipeline?: { name: string; version: string } };
  /** When the data was gathered (ISO-8601). */
  generatedAt: string;
  /** The window of served rows that drift and data quality look at. */
  window?: { rows: number; from?: string; to?: string };
  drift?: ReportSection<DriftSection>;
  dq?: ReportSection<ValidationResult>;
  performance?: ReportSection<PerformanceSection>;
  usage?: ReportSection<UsageSection>;
  /** The action log, in any order (the report shows newest first). */
  actions?: ReportSection<MonitoringActionEntry[]>;
};

/** Whether a section is the server's note of why it is missing. */
export function isUnavailable(section: unknown): section is Unavailable {
  return (
    typeof section === "object" &&
    section !== null &&
    !Array.isArray(section) &&
    typeof (section as { unavailable?: unknown }).unavailable === "string"
  );
}
