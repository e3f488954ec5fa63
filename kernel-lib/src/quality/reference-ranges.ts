/**
 * Range rules from reference data: one `in_range` expectation per sensor column, spanning the
 * reference's observed min to max widened by `margin` (a fraction of that span) on each side.
 *
 * @example
 * ```ts
 * const rules = kiln.dq.rangeRulesFromReference(reference, ["temp", "pressure"], { margin: 0.1 });
 * // [{ type: "in_range", column: "temp", min: 18, max: 82 }, …] for temp seen in [20, 80]
 * const suite = kiln.dq.defineSuite({ name: "batch", expectations: [...rules] });
 * ```
 */
import { isMissing, numericValue } from "./cell-values";
import { DatasetColumns, type DatasetRows } from "./dataset-columns";
import { QualityOptionsError } from "./errors";
import type { Dimension, InRangeExpectation } from "./suite-format";

/** Options of {@link rangeRulesFromReference}. */
export type RangeRuleOptions = {
  /** Widening on each side, as a fraction of the observed span max - min (default 0). */
  margin?: number;
  /** The rules' `mostly` (default: none, i.e. 1). */
  mostly?: number;
  /** The rules' dimension (default: validity, the default of in_range). */
  dimension?: Dimension;
};

/**
 * One `in_range` expectation per column of `columns`, from the numbers the reference holds
 * (missing values skipped). Throws QualityOptionsError for a column that is absent, holds a
 * value that is not a number, or has no values.
 */
export function rangeRulesFromReference(
  reference: DatasetRows,
  columns: readonly string[],
  options: RangeRuleOptions = {},
): InRangeExpectation[] {
  const { margin = 0, mostly, dimension } = options;
  if (typeof margin !== "number" || !(margin >= 0)) {
    throw new QualityOptionsError(
      `margin must be a number >= 0 (a fraction of each column's span), got ${JSON.stringify(margin)}.`,
      "Pass e.g. { margin: 0.1 } to widen each range by 10% of its span on both sides.",
    );
  }
  const data = DatasetColumns.of(reference);
  return columns.map((column) => {
    if (!data.has(column)) {
      throw new QualityOptionsError(
        `The reference data has no column "${column}"; its columns are: ${data.columnNames.join(", ") || "(none)"}.`,
        "Name columns the reference has.",
      );
    }
    const values = data.values(column);
    let min = Infinity;
    let max = -Infinity;
    for (let row = 0; row < values.length; row++) {
      const value = values[row];
      if (isMissing(value)) continue;
      const number = numericValue(value);
      if (number === undefined || !Number.isFinite(number)) {
        throw new QualityOptionsError(
          `Reference row ${row}, column "${column}" holds ${JSON.stringify(String(value))}, which is not a finite number.`,
          "Derive range rules from numeric columns only.",
        );
      }
      min = Math.min(min, number);
      max = Math.max(max, number);
    }
    if (min > max) {
      throw new QualityOptionsError(
        `Column "${column}" of the reference data has no values to derive a range from.`,
        "Use reference data with values in every column you derive a rule for.",
      );
    }
    const widen = (max - min) * margin;
    return {
      type: "in_range",
      column,
      min: min - widen,
      max: max + widen,
      ...(mostly === undefined ? {} : { mostly }),
      ...(dimension === undefined ? {} : { dimension }),
    } satisfies InRangeExpectation;
  });
}
