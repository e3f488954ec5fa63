/**
 * Evidently's binning for the distance-based drift scores (Jensen–Shannon, PSI): a numerical
 * feature whose reference has more than 20 distinct values is cut into Sturges bins over the
 * pooled samples (`np.histogram_bin_edges(..., bins="sturges")`); anything else is compared
 * category by category. Each sample becomes the share of its values per bin.
 *
 * @example
 * ```ts
 * const { reference, current } = binnedShares(["a", "b", "b"], ["b", "c"], "categorical");
 * // reference [1/3, 2/3, 0], current [0, 1/2, 1/2]
 * ```
 */
import { categoryCounts, distinctCount, type CategoryValue } from "./category-counts";

/** How a feature's values are compared. */
export type FeatureKind = "numerical" | "categorical";

/** Above this many distinct reference values, a numerical feature is binned by value range. */
export const MAX_DISTINCT_VALUES_FOR_CATEGORY_BINS = 20;

/** Shares per bin, aligned. */
export type BinnedShares = { reference: number[]; current: number[] };

/**
 * Shares of both samples per bin. `fillZeroes` replaces empty bins by a small share (Evidently's
 * `feel_zeroes`, used by PSI so that its logarithm stays finite).
 */
export function binnedShares(
  reference: readonly CategoryValue[],
  current: readonly CategoryValue[],
  kind: FeatureKind,
  fillZeroes = false,
): BinnedShares {
  let shares: BinnedShares;
  if (kind === "numerical" && distinctCount(reference) > MAX_DISTINCT_VALUES_FOR_CATEGORY_BINS) {
    const edges = sturgesEdges([...(reference as number[]), ...(current as number[])]);
    shares = {
      reference: histogram(reference as number[], edges).map((c) => c / reference.length),
      current: histogram(current as number[], edges).map((c) => c / current.length),
    };
  } else {
    const counts = categoryCounts(reference, current);
    shares = {
      reference: counts.reference.map((c) => c / reference.length),
      current: counts.current.map((c) => c / current.length),
    };
  }
  if (fillZeroes) {
    shares.reference = withoutZeroes(shares.reference);
    shares.current = withoutZeroes(shares.current);
  }
  return shares;
}

/** Bin edges as `np.histogram_bin_edges(values, bins="sturges")`. */
export function sturgesEdges(values: readonly number[]): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const ptp = max - min;
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const width = ptp / (Math.log2(values.length) + 1);
  const binCount = width ? Math.ceil((max - min) / width) : 1;
  // np.linspace: i * step + start, with the last edge exactly `max`.
  const step = (max - min) / binCount;
  return Array.from({ length: binCount + 1 }, (_, i) => (i === binCount ? max : i * step + min));
}

/** Counts per bin [edgeᵢ, edgeᵢ₊₁), the last bin closed (`np.histogram` with explicit edges). */
export function histogram(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  const last = edges.length - 1;
  for (const value of values) {
    if (value < (edges[0] as number) || value > (edges[last] as number)) continue;
    // Largest i with edges[i] ≤ value, by binary search.
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((edges[mid] as number) <= value) lo = mid;
      else hi = mid - 1;
    }
    const bin = Math.min(lo, last - 1);
    counts[bin] = (counts[bin] as number) + 1;
  }
  return counts;
}

/** Evidently's `feel_zeroes`: empty bins get min(non-zero share) / 1e6, or 0.0001 if that is larger. */
function withoutZeroes(shares: number[]): number[] {
  let minNonZero = Infinity;
  for (const share of shares) if (share !== 0 && share < minNonZero) minNonZero = share;
  const fill = minNonZero <= 0.0001 ? minNonZero / 10 ** 6 : 0.0001;
  return shares.map((share) => (share === 0 ? fill : share));
}
