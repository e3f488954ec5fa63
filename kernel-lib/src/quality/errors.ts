/**
 * Errors of data-quality checks. Like the lake's errors they extend DataError, so each says what
 * went wrong and what to do next (`fix`).
 *
 * @example
 * ```ts
 * try {
 *   await kiln.dq.validate({ table: "sensors", tag: "batch-42" }, suite);
 * } catch (error) {
 *   if (error instanceof kiln.dq.DataQualityError) console.log(error.failures.map((f) => f.type));
 * }
 * ```
 */
import { DataError } from "../data/errors";
import type { ExpectationResult, ValidationResult } from "./validation-result";

/** One problem of a malformed suite: where (`expectations[2].mostly`) and what. */
export type SuiteProblem = { path: string; message: string };

/** A suite that does not follow the format; `problems` lists every problem found. */
export class SuiteDefinitionError extends DataError {
  override name = "SuiteDefinitionError";
  readonly problems: SuiteProblem[];

  constructor(suiteName: string | undefined, problems: SuiteProblem[]) {
    const which = suiteName === undefined ? "The suite" : `Suite ${JSON.stringify(suiteName)}`;
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(
      `${which} is not valid (${count}):\n${problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}\n`,
      "Fix them and define the suite again (docs/data-quality.md lists every expectation type and its fields).",
    );
    this.problems = problems;
  }
}

/** Arguments a data-quality call cannot use: data of an unknown shape, a bad `now`, bad options. */
export class QualityOptionsError extends DataError {
  override name = "QualityOptionsError";
}

/** Data that failed its suite (thrown by `kiln.dq.validate`); `result` holds every expectation's. */
export class DataQualityError extends DataError {
  override name = "DataQualityError";
  readonly result: ValidationResult;
  /** The expectations that failed. */
  readonly failures: ExpectationResult[];

  constructor(message: string, result: ValidationResult) {
    super(
      message,
      "Fix the data (or the suite, if an expectation is wrong); error.result holds every expectation's outcome.",
    );
    this.result = result;
    this.failures = result.results.filter((r) => !r.success);
  }
}
