/**
 * The distributions a drift report plots: per numerical feature a histogram of the reference and
 * of the current window over the same bin edges (equal-width bins between the smallest and the
 * largest value of both samples), per categorical feature the counts of each category in both.
 * Missing values are left out, as drift detection leaves them out.
 *
 * @example
 * ```ts
 * const drift = detectDrift(reference, window);
 * const distributions = driftDistributions(reference, window, drift, 10);
 * distributions["temperature"]; // { reference: { edges: [...11], counts: [...10] }, current: {...} }
 * distributions["zone"]; // { categories: ["a", "b"], reference: [40, 60], current: [70, 30] }
 * ```
 */
import { histogram } from "../drift/binning";
import { categoryCounts } from "../drift/category-counts";
import type { DriftReport, FeatureColumns } from "../drift/drift-report";
import { DriftInputError, DriftOptionsError } from "../drift/errors";
import { presentValues } from "../drift/feature-values";
import type { FeatureDistribution } from "./report-data";

/** The default number of bins of a numerical feature. */
export const DEFAULT_DISTRIBUTION_BINS = 20;

/**
 * The distributions of every feature of `report`, from the columns it was computed on. Bin edges
 * are shared by both samples of a feature; categories are ordered by their combined share,
 * largest first.
 */
export function driftDistributions(
  reference: FeatureColumns,
  current: FeatureColumns,
  report: Pick<DriftReport, "features">,
  bins = DEFAULT_DISTRIBUTION_BINS,
): Record<string, FeatureDistribution> {
  if (!Number.isInteger(bins) || bins < 1) {
    throw new DriftOptionsError(
      `bins ${String(bins)} is not a positive whole number. Pass e.g. ${DEFAULT_DISTRIBUTION_BINS}.`,
    );
  }
  const distributions: Record<string, FeatureDistribution> = {};
  for (const [feature, drift] of Object.entries(report.features)) {
    const referenceValues = column(reference, feature, "reference");
    const currentValues = column(current, feature, "current window");
    distributions[feature] =
      drift.kind === "numerical"
        ? numericalDistribution(referenceValues, currentValues, bins)
        : categoricalDistribution(referenceValues, currentValues);
  }
  return distributions;
}

function column(columns: FeatureColumns, feature: string, side: string) {
  const values = Object.hasOwn(columns, feature) ? columns[feature] : undefined;
  if (values === undefined) {
    throw new DriftInputError(
      `The ${side} has no column for feature "${feature}" of the drift report. Pass the same ` +
        "columns the report was computed on.",
      feature,
    );
  }
  return presentValues(values).values;
}

function numericalDistribution(
  reference: readonly unknown[],
  current: readonly unknown[],
  bins: number,
): FeatureDistribution {
  const ref = reference.filter((value): value is number => typeof value === "number");
  const cur = current.filter((value): value is number => typeof value === "number");
  const edges = equalWidthEdges([ref, cur], bins);
  return {
    reference: { edges, counts: histogram(ref, edges) },
    current: { edges: [...edges], counts: histogram(cur, edges) },
  };
}

/**
 * `bins` + 1 equal-width edges from the smallest to the largest value of all `samples`; a single
 * value v gets [v - 0.5, v + 0.5] (as `np.histogram` does), no values [0, 1].
 */
export function equalWidthEdges(samples: readonly (readonly number[])[], bins: number): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (const sample of samples) {
    for (const value of sample) {
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  if (min === Infinity) [min, max] = [0, 1];
  else if (min === max) [min, max] = [min - 0.5, max + 0.5];
  const step = (max - min) / bins;
  // The last edge is exactly the maximum, so the largest value falls in the last (closed) bin.
  return Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * step));
}

function categoricalDistribution(
  reference: readonly (string | number | boolean)[],
  current: readonly (string | number | boolean)[],
): FeatureDistribution {
  const counts = categoryCounts(reference, current);
  const share = (i: number) =>
    (counts.reference[i] ?? 0) / Math.max(1, reference.length) +
    (counts.current[i] ?? 0) / Math.max(1, current.length);
  // Sort is stable: equal shares keep their order of first appearance.
  const order = counts.keys.map((_, i) => i).sort((a, b) => share(b) - share(a));
  return {
    categories: order.map((i) => String(counts.keys[i])),
    reference: order.map((i) => counts.reference[i] ?? 0),
    current: order.map((i) => counts.current[i] ?? 0),
  };
}
