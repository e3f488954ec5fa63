/**
 * Chi-squared goodness-of-fit test of the current category counts against the reference
 * proportions, as Evidently's `chisquare` stattest: the expected counts are the reference counts
 * scaled to the current sample size, over every category seen in either sample, then
 * `scipy.stats.chisquare(observed, expected)`.
 *
 * @example
 * ```ts
 * chiSquareTest(["a", "a", "b", "c"], ["a", "b", "b", "c"]);
 * // { statistic: 1.5, pValue: 0.4724, degreesOfFreedom: 2 }
 * ```
 */
import { categoryCounts, type CategoryValue } from "./category-counts";
import { chiSquaredSf } from "./special-functions";

/** Result of {@link chiSquareTest}. */
export type ChiSquareTestResult = {
  statistic: number;
  pValue: number;
  /** Number of categories - 1. */
  degreesOfFreedom: number;
};

/**
 * Runs the test on two non-empty samples. A category absent from the reference but present in
 * the current sample makes the statistic infinite (p-value 0), as in SciPy. With a single
 * category in all, SciPy's p-value is NaN; here it is 1 (nothing can differ), which gives the same
 * "no drift" verdict as Evidently.
 */
export function chiSquareTest(
  reference: readonly CategoryValue[],
  current: readonly CategoryValue[],
): ChiSquareTestResult {
  if (reference.length === 0 || current.length === 0) {
    throw new RangeError("chiSquareTest needs two non-empty samples.");
  }
  const counts = categoryCounts(reference, current);
  const scale = current.length / reference.length;
  let statistic = 0;
  counts.keys.forEach((_, i) => {
    const expected = (counts.reference[i] as number) * scale;
    const observed = counts.current[i] as number;
    // Every category occurs in one of the samples: expected 0 means observed > 0.
    statistic += expected === 0 ? Infinity : (observed - expected) ** 2 / expected;
  });
  const degreesOfFreedom = counts.keys.length - 1;
  if (degreesOfFreedom === 0) return { statistic: 0, pValue: 1, degreesOfFreedom };
  const pValue = statistic === Infinity ? 0 : chiSquaredSf(statistic, degreesOfFreedom);
  return { statistic, pValue, degreesOfFreedom };
}
