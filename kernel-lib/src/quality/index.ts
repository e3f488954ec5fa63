/**
 * `kiln.dq`: data quality. Declarative expectation suites (plain JSON) judge a dataset or an
 * endpoint's data along six dimensions (completeness, validity, uniqueness, consistency,
 * timeliness, accuracy), on records, Arrow tables or lake tables; `validate` fails a pipeline
 * step with a readable message when the data does not meet its suite. See docs/data-quality.md.
 *
 * @example
 * ```ts
 * import * as kiln from "@kiln/kernel-lib";
 * const suite = kiln.dq.defineSuite({
 *   name: "wafer-batch",
 *   dataset: "sensors",
 *   expectations: [
 *     { type: "not_null", column: "temperature", mostly: 0.99 },
 *     { type: "share", column: "is_event", max: 0.05 },
 *     { type: "unique", columns: ["wafer_id", "step"] },
 *   ],
 * });
 * const result = await kiln.dq.check({ table: "sensors", tag: "batch-42" }, suite);
 * await kiln.dq.validate({ table: "sensors", tag: "batch-42" }, suite); // throws DataQualityError
 * ```
 */
export { defineSuite, suiteProblems } from "./define-suite";
export { check, validate, type ValidateOptions } from "./validate";
export { formatReport, describeExpectationResult } from "./report";
export { fitNoveltyModel, noveltyDistance, type NoveltyModelOptions } from "./novelty-model";
export { rangeRulesFromReference, type RangeRuleOptions } from "./reference-ranges";
export { fitKMeans, type KMeansFit, type KMeansOptions } from "./kmeans";
export {
  SuiteDefinitionError,
  DataQualityError,
  QualityOptionsError,
  type SuiteProblem,
} from "./errors";
export type { DataInput, LakeTableRef } from "./load-dataset";
export type { DatasetRows } from "./dataset-columns";
export {
  DIMENSIONS,
  EXPECTATION_TYPES,
  DEFAULT_DIMENSIONS,
  VALUE_TYPES,
  COMPARISON_OPERATORS,
  type Dimension,
  type Expectation,
  type ExpectationType,
  type ExpectationSuite,
  type ExpectationCommon,
  type RowWiseCommon,
  type NotNullExpectation,
  type OfTypeExpectation,
  type InRangeExpectation,
  type InSetExpectation,
  type MatchRegexExpectation,
  type UniqueExpectation,
  type CompareExpectation,
  type PredicateExpectation,
  type ShareExpectation,
  type FreshnessExpectation,
  type RowAgeExpectation,
  type AgreementExpectation,
  type NoveltyExpectation,
  type NoveltyModel,
  type ComparisonOperator,
  type ValueType,
  type ScalarValue,
  type Row,
  type RowPredicate,
} from "./suite-format";
export type {
  ValidationResult,
  ExpectationResult,
  DimensionScore,
  UnexpectedExample,
  ValidatedSource,
  JsonValue,
} from "./validation-result";
