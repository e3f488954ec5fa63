/**
 * Population stability index, as Evidently's `psi` stattest: {@link binnedShares} with empty bins
 * filled by a small share, then Σ (reference - current) · ln(reference / current).
 *
 * @example
 * ```ts
 * populationStabilityIndex(["a", "a", "b"], ["a", "b", "b"], "categorical"); // ≈ 0.4621
 * ```
 */
import { binnedShares, type FeatureKind } from "./binning";
import type { CategoryValue } from "./category-counts";

/** PSI of two non-empty samples of a feature of the given kind. */
export function populationStabilityIndex(
  reference: readonly CategoryValue[],
  current: readonly CategoryValue[],
  kind: FeatureKind,
): number {
  if (reference.length === 0 || current.length === 0) {
    throw new RangeError("populationStabilityIndex needs two non-empty samples.");
  }
  const shares = binnedShares(reference, current, kind, true);
  let psi = 0;
  shares.reference.forEach((r, i) => {
    const c = shares.current[i] as number;
    psi += (r - c) * Math.log(r / c);
  });
  return psi;
}
