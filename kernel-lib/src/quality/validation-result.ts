/**
 * What a validation reports: one {@link ExpectationResult} per expectation of the suite, a score
 * per dimension and the overall outcome. Every value is JSON (bigints become numbers or text,
 * dates ISO-8601 text), so a result can be logged as an artifact or sent over HTTP as it is.
 *
 * @example
 * ```ts
 * const result = await kiln.dq.check(rows, suite);
 * result.success; // false
 * result.dimensions.validity; // { score: 0.5, expectations: 2, succeeded: 1, failed: 1 }
 * result.results[1]; // { type: "in_range", columns: ["temp"], unexpectedCount: 3, ... }
 * ```
 */
import type { Dimension, ExpectationType } from "./suite-format";

/** A JSON value. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** An element that did not meet its expectation: its row (0-based index) and value. */
export type UnexpectedExample = { index: number; value: JsonValue };

/** The outcome of one expectation. */
export type ExpectationResult = {
  /** Its position in the suite's `expectations`. */
  index: number;
  type: ExpectationType;
  dimension: Dimension;
  /** The columns it reads (empty for a predicate that names none). */
  columns: string[];
  /** The expectation's description, or its rule's name. */
  description?: string;
  success: boolean;
  /**
   * False when it could not be judged (a column is missing, a rule threw); `observed` then says
   * why, and the expectation fails.
   */
  evaluated: boolean;
  /**
   * What was measured: the share of elements that met a row-wise expectation, the share of
   * events (`share`), the age in ms of the newest event (`freshness`), or why it was not evaluated.
   */
  observed: JsonValue;
  /** What the expectation demands, in words, e.g. `values in [20, 80] for at least 99% of rows`. */
  expected: string;
  /** The `mostly` of a row-wise expectation (1 unless given). */
  mostly?: number;
  /**
   * Elements judged: non-missing values (rows for `not_null` and rule-based checks, rows with a
   * complete key for `unique`, rows with both values for pairs).
   */
  elementCount: number;
  /** Rows skipped because a value they need is missing (null, undefined or NaN). */
  missingCount: number;
  /** Elements that did not meet it; null for expectations on one statistic (share, freshness). */
  unexpectedCount: number | null;
  /** unexpectedCount / elementCount × 100 (0 without elements); null when unexpectedCount is. */
  unexpectedPercent: number | null;
  /** The first unexpected elements (at most `maxExamples`), in row order. */
  unexpectedExamples: UnexpectedExample[];
  /** More statistics, e.g. the observed min and max of `in_range`, the threshold of `novelty`. */
  details?: { [key: string]: JsonValue };
  /** Its weight in the dimension scores. */
  weight: number;
};

/** The score of one dimension. */
export type DimensionScore = {
  /** Weighted share of its expectations that succeeded; null when it has none. */
  score: number | null;
  expectations: number;
  succeeded: number;
  failed: number;
};

/** Where validated data came from. */
export type ValidatedSource =
  | { kind: "records" }
  | { kind: "arrow" }
  | { kind: "lake"; lake: string; table: string; version: number; tag?: string };

/** The outcome of a suite on one dataset. */
export type ValidationResult = {
  suite: string;
  dataset?: string;
  source: ValidatedSource;
  /** True when every expectation succeeded. */
  success: boolean;
  rowCount: number;
  /** The weighted share of all expectations that succeeded (1 for an empty suite). */
  score: number;
  dimensions: Record<Dimension, DimensionScore>;
  counts: { expectations: number; succeeded: number; failed: number };
  results: ExpectationResult[];
  /** The time ages were measured from (ISO-8601). */
  now: string;
  /** When the validation ran (ISO-8601). */
  validatedAt: string;
};
