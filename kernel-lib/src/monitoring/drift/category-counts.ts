/**
 * Counting categories: how many times each value occurs in the reference and the current sample,
 * over the union of the values seen in either (the basis of Evidently's categorical tests).
 *
 * @example
 * ```ts
 * const counts = categoryCounts(["a", "b", "b"], ["b", "c"]);
 * counts.keys; // ["a", "b", "c"]
 * counts.reference; // [1, 2, 0]
 * counts.current; // [0, 1, 1]
 * ```
 */

/** A value of a categorical feature. */
export type CategoryValue = number | string | boolean;

/** Counts per category, aligned with `keys` (in order of first appearance, reference first). */
export type CategoryCounts = {
  keys: CategoryValue[];
  reference: number[];
  current: number[];
};

/** Counts the values of both samples per category. */
export function categoryCounts(
  reference: readonly CategoryValue[],
  current: readonly CategoryValue[],
): CategoryCounts {
  const index = new Map<CategoryValue, number>();
  const keys: CategoryValue[] = [];
  const referenceCounts: number[] = [];
  const currentCounts: number[] = [];
  const count = (value: CategoryValue, side: number[]) => {
    let i = index.get(value);
    if (i === undefined) {
      i = keys.length;
      index.set(value, i);
      keys.push(value);
      referenceCounts.push(0);
      currentCounts.push(0);
    }
    side[i] = (side[i] as number) + 1;
  };
  for (const value of reference) count(value, referenceCounts);
  for (const value of current) count(value, currentCounts);
  return { keys, reference: referenceCounts, current: currentCounts };
}

/** Number of distinct values in `values`. */
export function distinctCount(values: readonly CategoryValue[]): number {
  return new Set(values).size;
}
