/**
 * The shared machinery of expectations: what judging one returns, and the loop that judges rows
 * one by one with `mostly` semantics (as in Great Expectations: missing values are skipped, and
 * the expectation holds when the share of judged elements that meet it is at least `mostly`).
 *
 * @example
 * ```ts
 * const values = context.data.values("temp");
 * return judgeRows(context, {
 *   mostly: 0.99,
 *   demand: "values >= 0",
 *   noun: "values",
 *   test: (i) => (isMissing(values[i]) ? undefined : Number(values[i]) >= 0),
 *   example: (i) => values[i],
 * });
 * ```
 */
import { jsonValue } from "../cell-values";
import type { DatasetColumns } from "../dataset-columns";
import type { ExpectationResult, JsonValue, UnexpectedExample } from "../validation-result";

/** What an expectation's judge sees. */
export type JudgeContext = {
  data: DatasetColumns;
  /** The time ages are measured from, epoch ms. */
  now: number;
  /** How many unexpected elements a result lists at most. */
  maxExamples: number;
};

/** What judging one expectation gives; the suite runner adds where it sits in the suite. */
export type Judgement = Pick<
  ExpectationResult,
  | "success"
  | "evaluated"
  | "observed"
  | "expected"
  | "mostly"
  | "elementCount"
  | "missingCount"
  | "unexpectedCount"
  | "unexpectedExamples"
  | "details"
>;

/** How {@link judgeRows} judges each row. */
export type RowTest = {
  mostly: number | undefined;
  /** What each element must satisfy, in words: `values in [20, 80]`. */
  demand: string;
  /** What the elements are, plural: `values`, `rows`, `keys`. */
  noun: string;
  /** true: met; false: unexpected; undefined: missing (skipped). */
  test: (row: number) => boolean | undefined;
  /** The value an unexpected row shows in the examples. */
  example: (row: number) => unknown;
};

/** Judges every row of the data with `test` and applies `mostly`. */
export function judgeRows(context: JudgeContext, rows: RowTest): Judgement {
  const mostly = rows.mostly ?? 1;
  let elements = 0;
  let missing = 0;
  let unexpected = 0;
  const examples: UnexpectedExample[] = [];
  for (let row = 0; row < context.data.rowCount; row++) {
    const met = rows.test(row);
    if (met === undefined) {
      missing++;
      continue;
    }
    elements++;
    if (met) continue;
    unexpected++;
    if (examples.length < context.maxExamples) {
      examples.push({ index: row, value: jsonValue(rows.example(row)) });
    }
  }
  const share = elements === 0 ? 1 : (elements - unexpected) / elements;
  return {
    success: share >= mostly,
    evaluated: true,
    observed: share,
    expected: expectedShare(rows.demand, rows.noun, mostly),
    mostly,
    elementCount: elements,
    missingCount: missing,
    unexpectedCount: unexpected,
    unexpectedExamples: examples,
  };
}

/** A judgement for an expectation that could not be evaluated; `why` becomes its observation. */
export function notEvaluated(
  why: string,
  expected: string,
  init: {
    mostly?: number | undefined;
    elementCount?: number;
    details?: Record<string, JsonValue>;
  } = {},
): Judgement {
  return {
    success: false,
    evaluated: false,
    observed: why,
    expected,
    ...(init.mostly === undefined ? {} : { mostly: init.mostly }),
    elementCount: init.elementCount ?? 0,
    missingCount: 0,
    unexpectedCount: null,
    unexpectedExamples: [],
    ...(init.details ? { details: init.details } : {}),
  };
}

/** `values in [20, 80] for every value` / `… for at least 99% of values`. */
export function expectedShare(demand: string, noun: string, mostly: number): string {
  const singular = noun.endsWith("s") ? noun.slice(0, -1) : noun;
  return mostly >= 1
    ? `${demand} for every ${singular}`
    : `${demand} for at least ${percent(mostly)} of ${noun}`;
}

/** A share as a percentage for messages: 0.995 → `99.5%`, 1/3 → `33.33%`. */
export function percent(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}
