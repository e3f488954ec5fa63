/**
 * Consistency: rules across the fields of a row, declarative (`compare`: `left op right`
 * between two columns) or a TypeScript predicate (`predicate`). Rows missing a compared value
 * are skipped; values that do not compare (text against a number) are unexpected.
 *
 * @example
 * ```ts
 * judgeCompare({ type: "compare", left: "started_at", op: "<=", right: "ended_at" }, context);
 * ```
 */
import { compareValues, isMissing } from "../cell-values";
import type { CompareExpectation, ComparisonOperator, PredicateExpectation } from "../suite-format";
import {
  judgeRows,
  notEvaluated,
  expectedShare,
  type JudgeContext,
  type Judgement,
} from "./judgement";
import { evaluateRule } from "./row-rules";

const HOLDS: Record<ComparisonOperator, (order: number) => boolean> = {
  "<": (order) => order < 0,
  "<=": (order) => order <= 0,
  "==": (order) => order === 0,
  "!=": (order) => order !== 0,
  ">=": (order) => order >= 0,
  ">": (order) => order > 0,
};

/** Judges `compare`: `left op right` holds in each row that has both values. */
export function judgeCompare(expectation: CompareExpectation, context: JudgeContext): Judgement {
  const { left, op, right } = expectation;
  const lefts = context.data.values(left);
  const rights = context.data.values(right);
  const holds = HOLDS[op];
  return judgeRows(context, {
    mostly: expectation.mostly,
    demand: `${left} ${op} ${right}`,
    noun: "rows",
    test: (row) => {
      const a = lefts[row];
      const b = rights[row];
      if (isMissing(a) || isMissing(b)) return undefined;
      const order = compareValues(a, b);
      return order !== undefined && holds(order);
    },
    example: (row) => ({ [left]: lefts[row], [right]: rights[row] }),
  });
}

/** Judges `predicate`: the rule holds for each row. */
export function judgePredicate(
  expectation: PredicateExpectation,
  context: JudgeContext,
): Judgement {
  const demand = `rule "${expectation.name}" holds`;
  const outcome = evaluateRule(expectation.rule, expectation.columns, context);
  if (!outcome.ok) {
    const mostly = expectation.mostly ?? 1;
    return notEvaluated(outcome.why, expectedShare(demand, "rows", mostly), { mostly });
  }
  return judgeRows(context, {
    mostly: expectation.mostly,
    demand,
    noun: "rows",
    test: (row) => outcome.holds[row],
    example: (row) => context.data.row(row, expectation.columns),
  });
}
