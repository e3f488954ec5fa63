/**
 * Reference statistics of the training data (`reference.json`), computed from a sample the user
 * passes to `kiln.log.model(..., { reference })`. Monitoring compares live traffic with them
 * later, so they are plain numbers, one entry per schema feature.
 *
 * @example
 * ```ts
 * const stats = computeReferenceStats(schema, [{ temperature: 20 }, { temperature: 22 }]);
 * stats.features["temperature"]?.mean; // 21
 * ```
 */
import type { InputRow, InputSchema } from "./schema";

/** Schema id written into `reference.json`. */
export const REFERENCE_STATS_FORMAT = "kiln.reference-stats/v1";

/** Quantile levels reported for every feature. */
export const REFERENCE_QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;

/** Equal-width bins of the histogram between min and max. */
export const HISTOGRAM_BINS = 10;

/** Statistics of one feature. `missing` counts null, absent and non-finite values. */
export type FeatureStats = {
  count: number;
  missing: number;
  /** null when `count` is 0 (here and below). */
  mean: number | null;
  /** Population standard deviation. */
  std: number | null;
  min: number | null;
  max: number | null;
  /** Level (as a string, e.g. `"0.5"`) → value, linear interpolation as numpy's default. */
  quantiles: Record<string, number | null>;
  /** `edges` has one more entry than `counts`; the last bin includes max. */
  histogram: { edges: number[]; counts: number[] };
};

/** Content of `reference.json`. */
export type ReferenceStats = {
  format: typeof REFERENCE_STATS_FORMAT;
  rows: number;
  features: Record<string, FeatureStats>;
};

/** Computes statistics of every schema feature over `rows` (keys not in the schema are ignored). */
export function computeReferenceStats(
  schema: InputSchema,
  rows: readonly InputRow[],
): ReferenceStats {
  const features: Record<string, FeatureStats> = {};
  for (const feature of schema.features) {
    const values: number[] = [];
    for (const row of rows) {
      const value = row[feature.name];
      if (typeof value === "number" && Number.isFinite(value)) values.push(value);
    }
    features[feature.name] = featureStats(values, rows.length - values.length);
  }
  return { format: REFERENCE_STATS_FORMAT, rows: rows.length, features };
}

/** Statistics of the finite `values` of one feature. */
export function featureStats(values: readonly number[], missing = 0): FeatureStats {
  const sorted = [...values].sort((a, b) => a - b);
  const count = sorted.length;
  const quantiles = Object.fromEntries(
    REFERENCE_QUANTILES.map((q) => [String(q), count ? quantile(sorted, q) : null]),
  );
  if (count === 0) {
    return {
      count,
      missing,
      mean: null,
      std: null,
      min: null,
      max: null,
      quantiles,
      histogram: { edges: [], counts: [] },
    };
  }
  const mean = sorted.reduce((sum, v) => sum + v, 0) / count;
  const variance = sorted.reduce((sum, v) => sum + (v - mean) ** 2, 0) / count;
  const min = sorted[0] as number;
  const max = sorted[count - 1] as number;
  return {
    count,
    missing,
    mean,
    std: Math.sqrt(variance),
    min,
    max,
    quantiles,
    histogram: histogram(sorted, min, max),
  };
}

function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  return low + ((sorted[upper] as number) - low) * (position - lower);
}

function histogram(values: readonly number[], min: number, max: number): FeatureStats["histogram"] {
  // A constant feature still gets one bin so monitoring can compare against it.
  if (min === max) return { edges: [min, max], counts: [values.length] };
  const width = (max - min) / HISTOGRAM_BINS;
  const edges = Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) =>
    i === HISTOGRAM_BINS ? max : min + i * width,
  );
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (const value of values) {
    const bin = Math.min(Math.floor((value - min) / width), HISTOGRAM_BINS - 1);
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return { edges, counts };
}
