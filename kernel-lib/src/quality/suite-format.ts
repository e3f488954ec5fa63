/**
 * The format of an expectation suite: a plain object (JSON, except for the optional predicate
 * functions of `predicate` and `share` rules) that lists what a dataset or endpoint's data must
 * satisfy, each expectation grouped under one of six quality dimensions. {@link defineSuite}
 * checks a suite against this format; docs/data-quality.md describes every field.
 *
 * @example
 * ```ts
 * const suite: ExpectationSuite = {
 *   name: "wafer-sensors",
 *   dataset: "sensors",
 *   expectations: [
 *     { type: "not_null", column: "temperature", mostly: 0.99 },
 *     { type: "in_range", column: "temperature", min: 20, max: 80 },
 *     { type: "unique", columns: ["wafer_id", "step"] },
 *   ],
 * };
 * ```
 */

/** The six quality dimensions, in the order results list them. */
export const DIMENSIONS = [
  "completeness",
  "validity",
  "uniqueness",
  "consistency",
  "timeliness",
  "accuracy",
] as const;

/** A quality dimension an expectation counts towards. */
export type Dimension = (typeof DIMENSIONS)[number];

/** Value types `of_type` checks. */
export const VALUE_TYPES = ["number", "integer", "string", "boolean", "timestamp"] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

/** Comparison operators of `compare`. */
export const COMPARISON_OPERATORS = ["<", "<=", "==", "!=", ">=", ">"] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

/** A value a suite can hold in JSON (for `in_set` values and `share` equality). */
export type ScalarValue = string | number | boolean;

/** A row as a predicate sees it: column name → value (int64 as bigint, timestamps as ms). */
export type Row = Record<string, unknown>;

/** A TypeScript rule over one row; not JSON, so suites holding one cannot be stored as files. */
export type RowPredicate = (row: Row) => boolean;

/** Fields every expectation may have. */
export type ExpectationCommon = {
  /** The dimension it counts towards; each type has a default (see {@link DEFAULT_DIMENSIONS}). */
  dimension?: Dimension;
  /** Its weight in the dimension scores (default 1). */
  weight?: number;
  /** A short text shown with its result and in errors. */
  description?: string;
};

/** Fields of expectations that judge rows one by one. */
export type RowWiseCommon = ExpectationCommon & {
  /**
   * The share of elements that must meet the expectation, from 0 to 1 (default 1: all), as in
   * Great Expectations: `mostly: 0.95` tolerates 5% unexpected elements.
   */
  mostly?: number;
};

/** Completeness: values of `column` are not null (nor undefined, nor NaN). */
export type NotNullExpectation = RowWiseCommon & { type: "not_null"; column: string };

/** Validity: values of `column` are of `valueType`. */
export type OfTypeExpectation = RowWiseCommon & {
  type: "of_type";
  column: string;
  valueType: ValueType;
};

/** Validity: numeric values of `column` lie in [min, max] (an open end when strict). */
export type InRangeExpectation = RowWiseCommon & {
  type: "in_range";
  column: string;
  min?: number;
  max?: number;
  /** Excludes `min` itself (default false). */
  strictMin?: boolean;
  /** Excludes `max` itself (default false). */
  strictMax?: boolean;
};

/** Validity: values of `column` are among `values`. */
export type InSetExpectation = RowWiseCommon & {
  type: "in_set";
  column: string;
  values: ScalarValue[];
};

/** Validity: text values of `column` match the regular expression `pattern`. */
export type MatchRegexExpectation = RowWiseCommon & {
  type: "match_regex";
  column: string;
  /** A JavaScript regular expression source, e.g. `^W[0-9]{4}$`; anchor it to match whole values. */
  pattern: string;
  /** RegExp flags, e.g. `i`. */
  flags?: string;
};

/** Uniqueness: no two rows share the key `column`, or the compound key `columns`. */
export type UniqueExpectation = RowWiseCommon & {
  type: "unique";
  column?: string;
  columns?: string[];
};

/** Consistency: `left op right` holds between two columns of each row, e.g. `start <= end`. */
export type CompareExpectation = RowWiseCommon & {
  type: "compare";
  left: string;
  op: ComparisonOperator;
  right: string;
};

/** Consistency: a TypeScript rule holds for each row. */
export type PredicateExpectation = RowWiseCommon & {
  type: "predicate";
  /** Names the rule in results, e.g. "pressure rises with flow". */
  name: string;
  rule: RowPredicate;
  /** The columns the rule reads: checked to exist, and the only ones its rows hold. */
  columns?: string[];
};

/**
 * Validity: the share of rows that are events (abnormal states) lies in [min, max]. A row is an
 * event when its `column` equals `equals` (default: `true` or `1`), or when `rule` holds.
 */
export type ShareExpectation = ExpectationCommon & {
  type: "share";
  column?: string;
  equals?: ScalarValue;
  rule?: RowPredicate;
  /** Names `rule` in results. */
  name?: string;
  /** The columns `rule` reads. */
  columns?: string[];
  min?: number;
  max?: number;
};

/** Timeliness: the newest event time in `column` is at most `maxAgeMs` before `now`. */
export type FreshnessExpectation = ExpectationCommon & {
  type: "freshness";
  column: string;
  maxAgeMs: number;
};

/** Timeliness: each row's event time in `column` is at most `maxAgeMs` before `now`. */
export type RowAgeExpectation = RowWiseCommon & {
  type: "row_age";
  column: string;
  maxAgeMs: number;
};

/**
 * Accuracy: `column` agrees with the `reference` column (labels): |value - reference| <=
 * `tolerance` for numbers (default 0), equality for other values (categories).
 */
export type AgreementExpectation = RowWiseCommon & {
  type: "agreement";
  column: string;
  reference: string;
  tolerance?: number;
};

/**
 * Consistency: rows lie near the reference data: their standardised distance to the nearest
 * k-means centroid of `model` (see fitNoveltyModel) is at most the model's threshold.
 */
export type NoveltyExpectation = RowWiseCommon & { type: "novelty"; model: NoveltyModel };

/** Any expectation. */
export type Expectation =
  | NotNullExpectation
  | OfTypeExpectation
  | InRangeExpectation
  | InSetExpectation
  | MatchRegexExpectation
  | UniqueExpectation
  | CompareExpectation
  | PredicateExpectation
  | ShareExpectation
  | FreshnessExpectation
  | RowAgeExpectation
  | AgreementExpectation
  | NoveltyExpectation;

/** The name of an expectation type. */
export type ExpectationType = Expectation["type"];

/** Each type's dimension when the expectation names none. */
export const DEFAULT_DIMENSIONS = {
  not_null: "completeness",
  of_type: "validity",
  in_range: "validity",
  in_set: "validity",
  match_regex: "validity",
  unique: "uniqueness",
  compare: "consistency",
  predicate: "consistency",
  share: "validity",
  freshness: "timeliness",
  row_age: "timeliness",
  agreement: "accuracy",
  novelty: "consistency",
} as const satisfies Record<ExpectationType, Dimension>;

/** The known expectation types. */
export const EXPECTATION_TYPES = Object.keys(DEFAULT_DIMENSIONS) as ExpectationType[];

/** A suite: what one dataset (a lake table) or endpoint's data must satisfy. */
export type ExpectationSuite = {
  /** Names the suite in results and errors, e.g. "wafer-sensors". */
  name: string;
  /** The dataset or endpoint it is for (informational), e.g. "sensors" or "endpoint:etch-model". */
  dataset?: string;
  description?: string;
  expectations: Expectation[];
};

/**
 * A k-means model of reference data for `novelty` expectations (see fitNoveltyModel): plain
 * JSON, so a suite carries it.
 */
export type NoveltyModel = {
  kind: "kmeans";
  /** The numeric columns, in the order of `mean`, `std` and each centroid. */
  columns: string[];
  /** Reference means per column. */
  mean: number[];
  /** Reference standard deviations per column (1 where the reference was constant). */
  std: number[];
  /** The k centroids, in standardised units. */
  centroids: number[][];
  /** The distance to the nearest centroid beyond which a row is novel. */
  threshold: number;
  /** The quantile of reference distances `threshold` is, e.g. 0.99. */
  quantile: number;
  /** The seed k-means++ started from. */
  seed: number;
  /** Reference rows the model was fitted on. */
  referenceRows: number;
};
