/**
 * Validation results in words: one line per expectation (dimension, type, columns, observed vs
 * expected, a few unexpected values with their rows), for logs, notebooks and the message of a
 * DataQualityError.
 *
 * @example
 * ```ts
 * console.log(kiln.dq.formatReport(await kiln.dq.check(rows, suite)));
 * // Suite "sensors" on 1200 records: FAILED, 1 of 3 expectations failed (score 0.67)
 * //   ✓ completeness not_null(temp): observed 100% met (0 of 1200 unexpected); expected a value (not null) for every row
 * //   ✗ validity in_range(temp): observed 98.5% met (18 of 1200 unexpected, e.g. 95.1 at row 17); …
 * ```
 */
import { quoteValue } from "./cell-values";
import { percent } from "./expectations/judgement";
import { DIMENSIONS } from "./suite-format";
import type {
  ExpectationResult,
  JsonValue,
  ValidatedSource,
  ValidationResult,
} from "./validation-result";

const EXAMPLES_IN_TEXT = 3;

/** One line on one expectation's outcome (without a ✓/✗ mark). */
export function describeExpectationResult(result: ExpectationResult): string {
  const label = `${result.dimension} ${result.type}(${result.columns.join(", ")})${
    result.description === undefined ? "" : ` "${result.description}"`
  }`;
  return `${label}: ${observedText(result)}; expected ${result.expected}`;
}

/** A multi-line report: the outcome, the scores per dimension, then every expectation. */
export function formatReport(result: ValidationResult): string {
  const outcome = result.success
    ? `passed, all ${result.counts.expectations} expectations met`
    : `FAILED, ${result.counts.failed} of ${result.counts.expectations} expectations failed`;
  const scores = DIMENSIONS.flatMap((dimension) => {
    const score = result.dimensions[dimension].score;
    return score === null ? [] : [`${dimension} ${Number(score.toFixed(2))}`];
  });
  return [
    `${headline(result)}: ${outcome} (score ${Number(result.score.toFixed(2))})`,
    ...(scores.length > 0 ? [`  scores: ${scores.join(", ")}`] : []),
    ...result.results.map((r) => `  ${r.success ? "✓" : "✗"} ${describeExpectationResult(r)}`),
  ].join("\n");
}

/** `Suite "sensors" on lake table sensors version 7 (tag batch-42, 1200 rows)`. */
function headline(result: ValidationResult): string {
  return `Suite "${result.suite}" on ${sourceText(result.source, result.rowCount)}`;
}

/** `lake table sensors version 7 (tag batch-42, 1200 rows)`, `1200 records`. */
export function sourceText(source: ValidatedSource, rows: number): string {
  switch (source.kind) {
    case "lake":
      return `lake table ${source.table} version ${source.version} (${
        source.tag === undefined ? "" : `tag ${source.tag}, `
      }${rows} rows)`;
    case "arrow":
      return `an Arrow table of ${rows} rows`;
    case "records":
      return `${rows} records`;
  }
}

function observedText(result: ExpectationResult): string {
  if (!result.evaluated) return `not evaluated: ${String(result.observed)}`;
  const details = result.details ?? {};
  if (result.type === "share") {
    return `observed share ${roundShare(result.observed as number)} (${String(details["events"])} of ${result.elementCount} rows)`;
  }
  if (result.type === "freshness") {
    return `observed newest event ${String(details["age"])} old (at ${String(details["newest"])})`;
  }
  const skipped = result.missingCount > 0 ? `; ${result.missingCount} missing skipped` : "";
  const examples = result.unexpectedExamples
    .slice(0, EXAMPLES_IN_TEXT)
    .map((e) => `${exampleText(result, e.value)} at row ${e.index}`)
    .join(", ");
  return `observed ${percent(result.observed as number)} met (${result.unexpectedCount} of ${
    result.elementCount
  } unexpected${examples === "" ? "" : `, e.g. ${examples}`}${skipped})`;
}

/** An unexpected value for a message; a novel row by its distance (its values are many). */
function exampleText(result: ExpectationResult, value: JsonValue): string {
  if (
    result.type === "novelty" &&
    typeof value === "object" &&
    value !== null &&
    "distance" in value
  ) {
    return `distance ${String(value["distance"])}`;
  }
  return quoteValue(value);
}

function roundShare(share: number): number {
  return Number(share.toFixed(4));
}
