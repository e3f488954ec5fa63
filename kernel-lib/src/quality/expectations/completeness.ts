/**
 * Completeness: how much of the data is there. `not_null` counts every row; a value is missing
 * when it is null, undefined (a record without the key) or NaN.
 *
 * @example
 * ```ts
 * judgeNotNull({ type: "not_null", column: "temp", mostly: 0.99 }, context);
 * ```
 */
import { isMissing } from "../cell-values";
import type { NotNullExpectation } from "../suite-format";
import { judgeRows, type JudgeContext, type Judgement } from "./judgement";

/** Judges `not_null`: the share of non-missing values is at least `mostly`. */
export function judgeNotNull(expectation: NotNullExpectation, context: JudgeContext): Judgement {
  const values = context.data.values(expectation.column);
  return judgeRows(context, {
    mostly: expectation.mostly,
    demand: "a value (not null)",
    noun: "rows",
    test: (row) => !isMissing(values[row]),
    example: (row) => values[row],
  });
}
