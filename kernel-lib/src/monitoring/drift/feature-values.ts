/**
 * The values of one feature as drift detection sees them: missing values (null, undefined, NaN,
 * ±Infinity) are set aside and counted, as Evidently drops them before testing; the kind
 * (numerical or categorical) is declared by the caller or inferred with Evidently's rule.
 *
 * @example
 * ```ts
 * const { values, missing } = presentValues([1, null, 2, NaN]); // values [1, 2], missing 2
 * inferFeatureKind([0, 1, 1, 0]); // "categorical": integers with at most 10 distinct values
 * inferFeatureKind([0.5, 1.25]); // "numerical"
 * ```
 */
import type { FeatureKind } from "./binning";
import type { CategoryValue } from "./category-counts";

/** A value of a feature as logged: numbers, strings and booleans; null / undefined = missing. */
export type DriftValue = CategoryValue | null | undefined;

/** Evidently's `INTEGER_CARDINALITY_LIMIT`: integer features with at most this many distinct values are categorical. */
export const INTEGER_CATEGORY_LIMIT = 10;

/** The present values of a feature and how many were missing. */
export type PresentValues = { values: CategoryValue[]; missing: number };

/** Splits off missing values: null, undefined, NaN and ±Infinity. */
export function presentValues(values: readonly DriftValue[]): PresentValues {
  const present: CategoryValue[] = [];
  for (const value of values) {
    if (value === null || value === undefined) continue;
    if (typeof value === "number" && !Number.isFinite(value)) continue;
    present.push(value);
  }
  return { values: present, missing: values.length - present.length };
}

/**
 * Evidently's rule for a column it was not told about (`infer_column_type`): floats are
 * numerical, integers numerical only with more than {@link INTEGER_CATEGORY_LIMIT} distinct
 * values, strings and booleans categorical. JavaScript has no integer type, so "integer" means
 * every present value is a whole number. (Evidently decides on the current data; Kiln decides on
 * the reference sample, so that a feature keeps its kind from one window to the next. It also
 * looks at present values only, where pandas turns an integer column with a missing value into
 * floats.)
 */
export function inferFeatureKind(present: readonly CategoryValue[]): FeatureKind {
  if (present.length === 0) return "numerical";
  if (!present.every((value) => typeof value === "number")) return "categorical";
  if (!present.every((value) => Number.isInteger(value))) return "numerical";
  return new Set(present).size <= INTEGER_CATEGORY_LIMIT ? "categorical" : "numerical";
}
