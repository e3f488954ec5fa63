/**
 * Two-proportion Z-test, as Evidently's `z` stattest for binary features: the proportion of
 * values different from the smallest category in each sample, a pooled standard error, and the
 * two-sided p-value `2·(1 - Φ(|z|))`.
 *
 * @example
 * ```ts
 * proportionsZTest([0, 0, 1, 1], [1, 1, 1, 0]); // { statistic: -0.7303, pValue: 0.4652 }
 * ```
 */
import { categoryCounts, type CategoryValue } from "./category-counts";
import { normalCdf } from "./special-functions";

/** Result of {@link proportionsZTest}. */
export type ZTestResult = {
  /** (reference share - current share) / pooled standard error. */
  statistic: number;
  pValue: number;
};

/**
 * Runs the test on two non-empty samples. Both samples holding the same single value give
 * statistic 0 and p-value 1.
 */
export function proportionsZTest(
  reference: readonly CategoryValue[],
  current: readonly CategoryValue[],
): ZTestResult {
  if (reference.length === 0 || current.length === 0) {
    throw new RangeError("proportionsZTest needs two non-empty samples.");
  }
  const counts = categoryCounts(reference, current);
  if (counts.keys.length === 1) return { statistic: 0, pValue: 1 };
  // The "0" category is the smallest value (Python's sort order); every other value counts as 1.
  const first = counts.keys.reduce((min, key) => (compareCategories(key, min) < 0 ? key : min));
  const firstIndex = counts.keys.indexOf(first);
  const n1 = reference.length;
  const n2 = current.length;
  const p1 = (n1 - (counts.reference[firstIndex] as number)) / n1;
  const p2 = (n2 - (counts.current[firstIndex] as number)) / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const statistic = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const pValue = 2 * (1 - normalCdf(Math.abs(statistic)));
  return { statistic, pValue };
}

/** Orders numbers and booleans numerically and strings as JavaScript does, numbers first. */
function compareCategories(a: CategoryValue, b: CategoryValue): number {
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string") return 1;
  if (typeof b === "string") return -1;
  return Number(a) - Number(b);
}
