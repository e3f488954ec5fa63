/**
 * Accuracy: agreement with a reference column (labels, or a trusted measurement). Numbers agree
 * within `tolerance` (default 0); other values (categories) when equal. Rows missing either
 * value are skipped.
 *
 * @example
 * ```ts
 * judgeAgreement({ type: "agreement", column: "predicted", reference: "label", tolerance: 0.5, mostly: 0.9 }, context);
 * ```
 */
import { isMissing, numericValue, sameValue } from "../cell-values";
import type { AgreementExpectation } from "../suite-format";
import { judgeRows, type JudgeContext, type Judgement } from "./judgement";

/** Judges `agreement`: the share of rows agreeing with the reference is at least `mostly`. */
export function judgeAgreement(
  expectation: AgreementExpectation,
  context: JudgeContext,
): Judgement {
  const { column, reference, tolerance = 0 } = expectation;
  const values = context.data.values(column);
  const references = context.data.values(reference);
  let absoluteErrors = 0;
  let numericPairs = 0;
  const judgement = judgeRows(context, {
    mostly: expectation.mostly,
    demand:
      expectation.tolerance === undefined
        ? `${column} equal to ${reference}`
        : `|${column} - ${reference}| <= ${tolerance}`,
    noun: "rows",
    test: (row) => {
      const value = values[row];
      const label = references[row];
      if (isMissing(value) || isMissing(label)) return undefined;
      const x = numericValue(value);
      const y = numericValue(label);
      if (x === undefined || y === undefined) return sameValue(value, label);
      numericPairs++;
      absoluteErrors += Math.abs(x - y);
      return Math.abs(x - y) <= tolerance;
    },
    example: (row) => ({ [column]: values[row], [reference]: references[row] }),
  });
  return numericPairs === 0
    ? judgement
    : { ...judgement, details: { meanAbsoluteError: absoluteErrors / numericPairs } };
}
