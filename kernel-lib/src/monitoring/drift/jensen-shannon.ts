/**
 * Jensen–Shannon distance between the binned reference and current samples, as Evidently's
 * `jensenshannon` stattest: {@link binnedShares} without zero filling, then
 * `scipy.spatial.distance.jensenshannon` (natural logarithm, so the distance is at most √ln 2).
 *
 * @example
 * ```ts
 * jensenShannonDistance(["a", "a", "b"], ["a", "b", "b"], "categorical"); // ≈ 0.2380
 * ```
 */
import { binnedShares, type FeatureKind } from "./binning";
import type { CategoryValue } from "./category-counts";

/** Jensen–Shannon distance of two non-empty samples of a feature of the given kind. */
export function jensenShannonDistance(
  reference: readonly CategoryValue[],
  current: readonly CategoryValue[],
  kind: FeatureKind,
): number {
  if (reference.length === 0 || current.length === 0) {
    throw new RangeError("jensenShannonDistance needs two non-empty samples.");
  }
  const shares = binnedShares(reference, current, kind);
  return jensenShannonOfDistributions(shares.reference, shares.current);
}

/** `scipy.spatial.distance.jensenshannon(p, q)`: both are normalized to sum to 1 first. */
export function jensenShannonOfDistributions(p: readonly number[], q: readonly number[]): number {
  const pSum = p.reduce((sum, x) => sum + x, 0);
  const qSum = q.reduce((sum, x) => sum + x, 0);
  let left = 0;
  let right = 0;
  p.forEach((pi, i) => {
    const a = pi / pSum;
    const b = (q[i] as number) / qSum;
    const m = (a + b) / 2;
    left += relativeEntropy(a, m);
    right += relativeEntropy(b, m);
  });
  return Math.sqrt(Math.max(0, (left + right) / 2));
}

/** `scipy.special.rel_entr`: x·log(x/y), 0 when x is 0. */
function relativeEntropy(x: number, y: number): number {
  if (x === 0) return 0;
  return x * Math.log(x / y);
}
