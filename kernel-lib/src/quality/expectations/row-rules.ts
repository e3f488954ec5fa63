/**
 * TypeScript row rules (`predicate`, and `share` with a rule): the rule runs once per row, on an
 * object of the columns it declares (or of every column). A rule that throws does not crash the
 * validation: its expectation is reported as not evaluated, naming the row and the error.
 *
 * @example
 * ```ts
 * const outcome = evaluateRule((row) => Number(row.flow) > 0, ["flow"], context);
 * if (outcome.ok) outcome.holds[3]; // true or false
 * ```
 */
import type { RowPredicate } from "../suite-format";
import type { JudgeContext } from "./judgement";

/** Whether the rule held for each row, or why it could not run. */
export type RuleOutcome = { ok: true; holds: boolean[] } | { ok: false; why: string };

/** Runs `rule` on every row of the data. */
export function evaluateRule(
  rule: RowPredicate,
  columns: readonly string[] | undefined,
  context: JudgeContext,
): RuleOutcome {
  const holds: boolean[] = [];
  for (let index = 0; index < context.data.rowCount; index++) {
    try {
      holds.push(Boolean(rule(context.data.row(index, columns))));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, why: `the rule threw at row ${index}: ${message}` };
    }
  }
  return { ok: true, holds };
}
