/**
 * Validity: values of the right type, in range, among the allowed ones, matching a pattern; and
 * `share`, the bounds on the share of event (abnormal-state) rows in a batch. Missing values are
 * skipped: completeness judges them.
 *
 * @example
 * ```ts
 * judgeInRange({ type: "in_range", column: "temp", min: 20, max: 80 }, context);
 * judgeShare({ type: "share", column: "is_event", max: 0.05 }, context);
 * ```
 */
import { isIsoTime, isMissing, keyText, numericValue, quoteValue, sameValue } from "../cell-values";
import type {
  InRangeExpectation,
  InSetExpectation,
  MatchRegexExpectation,
  OfTypeExpectation,
  ShareExpectation,
  ValueType,
} from "../suite-format";
import { judgeRows, notEvaluated, percent, type JudgeContext, type Judgement } from "./judgement";
import { evaluateRule } from "./row-rules";

/** Judges `of_type`: non-missing values are of `valueType`. */
export function judgeOfType(expectation: OfTypeExpectation, context: JudgeContext): Judgement {
  const { column, valueType } = expectation;
  const values = context.data.values(column);
  const timeColumn = context.data.isTimeColumn(column);
  const seen: Record<string, number> = {};
  const judgement = judgeRows(context, {
    mostly: expectation.mostly,
    demand: `values of type ${valueType}`,
    noun: "values",
    test: (row) => {
      const value = values[row];
      if (isMissing(value)) return undefined;
      const kind = timeColumn ? "timestamp" : kindOf(value);
      seen[kind] = (seen[kind] ?? 0) + 1;
      return isOfType(value, valueType, timeColumn);
    },
    example: (row) => values[row],
  });
  return { ...judgement, details: { observedTypes: seen } };
}

function isOfType(value: unknown, type: ValueType, timeColumn: boolean): boolean {
  if (timeColumn) return type === "timestamp";
  switch (type) {
    case "number":
      return typeof value === "number" || typeof value === "bigint";
    case "integer":
      return (typeof value === "number" && Number.isInteger(value)) || typeof value === "bigint";
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "timestamp":
      return (
        (value instanceof Date && !Number.isNaN(value.getTime())) ||
        (typeof value === "string" && isIsoTime(value))
      );
  }
}

/** A value's kind as `of_type` reports what it saw. */
function kindOf(value: unknown): string {
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "bigint") return "integer";
  if (value instanceof Date) return "timestamp";
  if (typeof value === "string") return isIsoTime(value) ? "timestamp text" : "string";
  return typeof value;
}

/** Judges `in_range`: non-missing values are numbers within the bounds. */
export function judgeInRange(expectation: InRangeExpectation, context: JudgeContext): Judgement {
  const { min, max, strictMin = false, strictMax = false } = expectation;
  const values = context.data.values(expectation.column);
  let observedMin = Infinity;
  let observedMax = -Infinity;
  const judgement = judgeRows(context, {
    mostly: expectation.mostly,
    demand: `values in ${rangeText(expectation)}`,
    noun: "values",
    test: (row) => {
      const value = values[row];
      if (isMissing(value)) return undefined;
      const number = numericValue(value);
      if (number === undefined) return false;
      observedMin = Math.min(observedMin, number);
      observedMax = Math.max(observedMax, number);
      if (min !== undefined && (strictMin ? number <= min : number < min)) return false;
      if (max !== undefined && (strictMax ? number >= max : number > max)) return false;
      return true;
    },
    example: (row) => values[row],
  });
  const seen = observedMin <= observedMax;
  return {
    ...judgement,
    details: { min: seen ? observedMin : null, max: seen ? observedMax : null },
  };
}

/** `[20, 80]`, `(0, 1]`, `>= 0`, `< 100`. */
export function rangeText(range: {
  min?: number | undefined;
  max?: number | undefined;
  strictMin?: boolean | undefined;
  strictMax?: boolean | undefined;
}): string {
  const { strictMin, strictMax } = range;
  // Six significant digits: bounds derived from data (rangeRulesFromReference) stay readable.
  const min = range.min === undefined ? undefined : Number(range.min.toPrecision(6));
  const max = range.max === undefined ? undefined : Number(range.max.toPrecision(6));
  if (min === undefined) return `${strictMax ? "<" : "<="} ${max}`;
  if (max === undefined) return `${strictMin ? ">" : ">="} ${min}`;
  return `${strictMin ? "(" : "["}${min}, ${max}${strictMax ? ")" : "]"}`;
}

/** Judges `in_set`: non-missing values are among the allowed ones. */
export function judgeInSet(expectation: InSetExpectation, context: JudgeContext): Judgement {
  const allowed = new Set(expectation.values.map(keyText));
  const values = context.data.values(expectation.column);
  const shown = expectation.values.slice(0, 10).map(quoteValue).join(", ");
  const more = expectation.values.length > 10 ? `, … (${expectation.values.length} in all)` : "";
  return judgeRows(context, {
    mostly: expectation.mostly,
    demand: `values in {${shown}${more}}`,
    noun: "values",
    test: (row) => {
      const value = values[row];
      if (isMissing(value)) return undefined;
      return allowed.has(keyText(value));
    },
    example: (row) => values[row],
  });
}

/** Judges `match_regex`: non-missing values are text matching the pattern. */
export function judgeMatchRegex(
  expectation: MatchRegexExpectation,
  context: JudgeContext,
): Judgement {
  // Without g and y, RegExp.test keeps no state between values.
  const flags = (expectation.flags ?? "").replace(/[gy]/g, "");
  const pattern = new RegExp(expectation.pattern, flags);
  const values = context.data.values(expectation.column);
  return judgeRows(context, {
    mostly: expectation.mostly,
    demand: `text matching /${expectation.pattern}/${flags}`,
    noun: "values",
    test: (row) => {
      const value = values[row];
      if (isMissing(value)) return undefined;
      return typeof value === "string" && pattern.test(value);
    },
    example: (row) => values[row],
  });
}

/**
 * Judges `share`: the share of event rows among the judged ones lies within [min, max]. A row
 * is an event when its `column` equals `equals` (default: `true` or `1`; missing values are
 * skipped), or when `rule` holds (every row is judged).
 */
export function judgeShare(expectation: ShareExpectation, context: JudgeContext): Judgement {
  const { min, max } = expectation;
  const bounds =
    min === undefined
      ? `at most ${max}`
      : max === undefined
        ? `at least ${min}`
        : `between ${min} and ${max}`;
  const event =
    expectation.column === undefined
      ? `rule "${expectation.name ?? "rule"}" holds`
      : expectation.equals === undefined
        ? `${expectation.column} is true or 1`
        : `${expectation.column} == ${quoteValue(expectation.equals)}`;
  const expected = `share of rows where ${event} ${bounds}`;

  let isEvent: (row: number) => boolean | undefined;
  if (expectation.column !== undefined) {
    const values = context.data.values(expectation.column);
    const equals = expectation.equals;
    isEvent = (row) => {
      const value = values[row];
      if (isMissing(value)) return undefined;
      return equals === undefined
        ? value === true || sameValue(value, 1)
        : sameValue(value, equals);
    };
  } else {
    const outcome = evaluateRule(expectation.rule!, expectation.columns, context);
    if (!outcome.ok) return notEvaluated(outcome.why, expected);
    isEvent = (row) => outcome.holds[row];
  }

  let elements = 0;
  let events = 0;
  for (let row = 0; row < context.data.rowCount; row++) {
    const result = isEvent(row);
    if (result === undefined) continue;
    elements++;
    if (result) events++;
  }
  const missing = context.data.rowCount - elements;
  if (elements === 0) {
    return notEvaluated("no rows to measure the share on", expected, {
      details: { events: 0, missing },
    });
  }
  const share = events / elements;
  return {
    success: (min === undefined || share >= min) && (max === undefined || share <= max),
    evaluated: true,
    observed: share,
    expected,
    elementCount: elements,
    missingCount: missing,
    unexpectedCount: null,
    unexpectedExamples: [],
    details: { events, percent: percent(share) },
  };
}
