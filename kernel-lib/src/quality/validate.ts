/**
 * Validating data against a suite: `check` reports, `validate` also throws when the data fails,
 * which is what a pipeline step wants (the step fails, its log says which checks failed).
 *
 * @example
 * ```ts
 * // a pipeline step
 * const suite = kiln.dq.defineSuite(JSON.parse(await readFile("suites/batch.json", "utf8")));
 * await kiln.dq.validate({ table: "sensors", tag: "batch-42" }, suite); // throws DataQualityError
 * // a notebook
 * const result = await kiln.dq.check(rows, suite);
 * console.log(kiln.dq.formatReport(result));
 * ```
 */
import type { LineageOptions } from "../data/lineage";
import { defineSuite } from "./define-suite";
import { DataQualityError, QualityOptionsError } from "./errors";
import { judgeSuite } from "./judge-suite";
import { loadDataset, type DataInput } from "./load-dataset";
import { describeExpectationResult, sourceText } from "./report";
import type { ExpectationSuite } from "./suite-format";
import type { ValidationResult } from "./validation-result";

/** Options of {@link check} and {@link validate}. */
export type ValidateOptions = {
  /** The time ages are measured from (default: now): a Date, epoch ms or ISO-8601 text. */
  now?: Date | number | string;
  /** Unexpected values listed per expectation at most (default 20). */
  maxExamples?: number;
  /** Where the read of a lake table is recorded (see kiln.data.read); default the active run. */
  lineage?: LineageOptions;
};

/**
 * Judges `data` (records, an Arrow table, a lake table's name or `{ table, version?, tag?,
 * lake? }`) against `suite`, which is checked first (SuiteDefinitionError). Never throws because
 * the data fails: see `result.success`.
 *
 * @example
 * ```ts
 * const result = await kiln.dq.check("sensors", suite, { now: "2026-11-01T12:00:00Z" });
 * result.dimensions.completeness.score; // 1
 * ```
 */
export async function check(
  data: DataInput,
  suite: ExpectationSuite,
  options: ValidateOptions = {},
): Promise<ValidationResult> {
  const valid = defineSuite(suite);
  const now = resolveNow(options.now);
  const maxExamples = options.maxExamples ?? 20;
  if (!Number.isInteger(maxExamples) || maxExamples < 0) {
    throw new QualityOptionsError(
      `maxExamples must be an integer >= 0, got ${JSON.stringify(maxExamples)}.`,
      "Pass e.g. { maxExamples: 20 }.",
    );
  }
  const { data: dataset, source } = await loadDataset(
    data,
    options.lineage === undefined ? {} : { lineage: options.lineage },
  );
  return judgeSuite(valid, dataset, source, { now, maxExamples });
}

/**
 * Like {@link check}, for pipeline steps: resolves with the result when every expectation
 * succeeds, throws DataQualityError naming the failed ones (dimension, columns, observed vs
 * expected) otherwise.
 *
 * @example
 * ```ts
 * // @kiln step=validate
 * const report = await kiln.dq.validate({ table: "sensors", tag: "batch-42" }, suite);
 * kiln.log.metrics({ dq_score: report.score });
 * ```
 */
export async function validate(
  data: DataInput,
  suite: ExpectationSuite,
  options: ValidateOptions = {},
): Promise<ValidationResult> {
  const result = await check(data, suite, options);
  if (result.success) return result;
  const failures = result.results.filter((r) => !r.success);
  throw new DataQualityError(
    `Suite "${result.suite}" failed ${failures.length} of ${result.counts.expectations} expectations on ${sourceText(result.source, result.rowCount)}:\n${failures
      .map((r) => `  - ${describeExpectationResult(r)}`)
      .join("\n")}\n`,
    result,
  );
}

function resolveNow(now: Date | number | string | undefined): number {
  if (now === undefined) return Date.now();
  const time =
    now instanceof Date
      ? now.getTime()
      : typeof now === "number"
        ? now
        : typeof now === "string"
          ? Date.parse(now)
          : NaN;
  if (!Number.isFinite(time)) {
    throw new QualityOptionsError(
      `now must be a Date, epoch milliseconds or ISO-8601 text, got ${JSON.stringify(String(now))}.`,
      'Pass e.g. { now: "2026-11-01T12:00:00Z" }, or nothing for the current time.',
    );
  }
  return time;
}
