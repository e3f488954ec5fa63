/**
 * Timeliness: how old the events are, measured from `now` (the caller's, or the validation's
 * start). `freshness` judges the newest event time; `row_age` each row's. Event times may be
 * epoch milliseconds (Arrow timestamps), Dates or ISO-8601 text.
 *
 * @example
 * ```ts
 * judgeFreshness({ type: "freshness", column: "measured_at", maxAgeMs: 3_600_000 }, context);
 * ```
 */
import { isMissing, timeValue } from "../cell-values";
import type { FreshnessExpectation, RowAgeExpectation } from "../suite-format";
import { judgeRows, notEvaluated, type JudgeContext, type Judgement } from "./judgement";

/** Judges `freshness`: the newest event is at most `maxAgeMs` old. */
export function judgeFreshness(
  expectation: FreshnessExpectation,
  context: JudgeContext,
): Judgement {
  const values = context.data.values(expectation.column);
  const expected = `newest event at most ${formatDuration(expectation.maxAgeMs)} old`;
  let newest = -Infinity;
  let elements = 0;
  let missing = 0;
  let invalid = 0;
  for (let row = 0; row < context.data.rowCount; row++) {
    const value = values[row];
    if (isMissing(value)) {
      missing++;
      continue;
    }
    elements++;
    const time = timeValue(value);
    if (time === undefined) invalid++;
    else newest = Math.max(newest, time);
  }
  if (newest === -Infinity) {
    return notEvaluated(`no event times in column ${expectation.column}`, expected, {
      elementCount: elements,
      details: { invalidTimes: invalid },
    });
  }
  const age = context.now - newest;
  return {
    success: age <= expectation.maxAgeMs,
    evaluated: true,
    observed: age,
    expected,
    elementCount: elements,
    missingCount: missing,
    unexpectedCount: null,
    unexpectedExamples: [],
    details: {
      newest: new Date(newest).toISOString(),
      age: formatDuration(age),
      invalidTimes: invalid,
    },
  };
}

/** Judges `row_age`: each event is at most `maxAgeMs` old (text that is no time is unexpected). */
export function judgeRowAge(expectation: RowAgeExpectation, context: JudgeContext): Judgement {
  const values = context.data.values(expectation.column);
  const oldest = context.now - expectation.maxAgeMs;
  const judgement = judgeRows(context, {
    mostly: expectation.mostly,
    demand: `events at most ${formatDuration(expectation.maxAgeMs)} old`,
    noun: "rows",
    test: (row) => {
      const value = values[row];
      if (isMissing(value)) return undefined;
      const time = timeValue(value);
      return time !== undefined && time >= oldest;
    },
    example: (row) => {
      const time = timeValue(values[row]);
      return time === undefined ? values[row] : new Date(time);
    },
  });
  return { ...judgement, details: { notBefore: new Date(oldest).toISOString() } };
}

/** Milliseconds for people: `90s`, `1h 30m`, `2d`, `-5m` (a time in the future). */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const units: [string, number][] = [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ];
  const parts: string[] = [];
  let rest = Math.round(ms / 1000) * 1000;
  for (const [unit, size] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join(" ");
}
