/**
 * Reference statistics of the training data (`reference.json`), computed from a sample the user
 * passes to `kiln.log.model(..., { reference })`. Monitoring compares live traffic with them
 * later, so they are plain numbers, one entry per schema feature: summary statistics, and a
 * reproducible sample of the raw values, which drift tests (KS, chi-squared, Wasserstein...) need.
 *
 * @example
 * ```ts
 * const stats = computeReferenceStats(schema, [{ temperature: 20 }, { temperature: 22 }]);
 * stats.features["temperature"]?.mean; // 21
 * stats.features["temperature"]?.sample; // [20, 22]
 * ```
 */
import type { InputRow, InputSchema } from "./schema";

/** Schema id written into `reference.json`. */
export const REFERENCE_STATS_FORMAT = "kiln.reference-stats/v1";

/** Quantile levels reported for every feature. */
export const REFERENCE_QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;

/** Equal-width bins of the histogram between min and max. */
export const HISTOGRAM_BINS = 10;

/** Most values kept per feature in `sample`. */
export const REFERENCE_SAMPLE_SIZE = 5000;

/** Seed of the sample: the same rows always give the same sample. */
export const REFERENCE_SAMPLE_SEED = 0x6b696c6e;

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
  /**
   * Up to {@link REFERENCE_SAMPLE_SIZE} of the feature's finite values, in row order: all of them
   * when there are no more, else a seeded random subset ({@link referenceSample}). Absent from
   * `reference.json` files written before Kiln kept samples.
   */
  sample?: number[];
};

/** Content of `reference.json`. */
export type ReferenceStats = {
  format: typeof REFERENCE_STATS_FORMAT;
  rows: number;
  features: Record<string, FeatureStats>;
};

/** How {@link computeReferenceStats} samples the raw values. */
export type ReferenceSampleOptions = {
  /** Most values kept per feature; default {@link REFERENCE_SAMPLE_SIZE}. */
  size?: number;
  /** Default {@link REFERENCE_SAMPLE_SEED}. */
  seed?: number;
};

/**
 * Computes statistics of every schema feature over `rows` (keys not in the schema are ignored),
 * with a sample of each feature's finite values.
 */
export function computeReferenceStats(
  schema: InputSchema,
  rows: readonly InputRow[],
  sampling: ReferenceSampleOptions = {},
): ReferenceStats {
  const features: Record<string, FeatureStats> = {};
  for (const feature of schema.features) {
    const values: number[] = [];
    for (const row of rows) {
      const value = row[feature.name];
      if (typeof value === "number" && Number.isFinite(value)) values.push(value);
    }
    features[feature.name] = {
      ...featureStats(values, rows.length - values.length),
      sample: referenceSample(values, sampling),
    };
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

/**
 * A reproducible sample of `values`: all of them if there are at most `size`, else `size` of
 * them chosen by a partial Fisher–Yates shuffle driven by a seeded generator (mulberry32), kept
 * in their original order. Features without missing values get the same rows.
 *
 * @example
 * ```ts
 * referenceSample([5, 6, 7], { size: 5 }); // [5, 6, 7]
 * referenceSample(Array.from({ length: 10 }, (_, i) => i), { size: 3 }); // 3 values, same every run
 * ```
 */
export function referenceSample(
  values: readonly number[],
  { size = REFERENCE_SAMPLE_SIZE, seed = REFERENCE_SAMPLE_SEED }: ReferenceSampleOptions = {},
): number[] {
  if (!Number.isInteger(size) || size < 0) {
    throw new RangeError(`Reference sample size must be a whole number >= 0, got ${size}.`);
  }
  if (values.length <= size) return [...values];
  const random = mulberry32(seed);
  const indices = Array.from({ length: values.length }, (_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (values.length - i));
    [indices[i], indices[j]] = [indices[j] as number, indices[i] as number];
  }
  return indices
    .slice(0, size)
    .sort((a, b) => a - b)
    .map((i) => values[i] as number);
}

/** Small seeded generator of uniform numbers in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
