/**
 * Running a suite on data in memory: each expectation is judged by its type's judge (one module
 * per dimension under ./expectations), after a check that the data has the columns it reads; a
 * missing column fails that expectation with an observation naming the data's columns instead of
 * stopping the validation. Then scores and counts.
 *
 * @example
 * ```ts
 * const result = judgeSuite(suite, DatasetColumns.of(rows), { kind: "records" }, { now: Date.now(), maxExamples: 20 });
 * ```
 */
import { DatasetColumns } from "./dataset-columns";
import { scoreDimensions } from "./dimension-scores";
import { judgeAgreement } from "./expectations/accuracy";
import { judgeNotNull } from "./expectations/completeness";
import { judgeCompare, judgePredicate } from "./expectations/consistency";
import { notEvaluated, type JudgeContext, type Judgement } from "./expectations/judgement";
import { judgeNovelty } from "./expectations/novelty";
import { judgeFreshness, judgeRowAge } from "./expectations/timeliness";
import { judgeUnique, keyColumns } from "./expectations/uniqueness";
import {
  judgeInRange,
  judgeInSet,
  judgeMatchRegex,
  judgeOfType,
  judgeShare,
} from "./expectations/validity";
import {
  DEFAULT_DIMENSIONS,
  type Expectation,
  type ExpectationSuite,
  type ExpectationType,
} from "./suite-format";
import type { ExpectationResult, ValidatedSource, ValidationResult } from "./validation-result";

type Judges = {
  [T in ExpectationType]: (
    expectation: Extract<Expectation, { type: T }>,
    context: JudgeContext,
  ) => Judgement;
};

const JUDGES: Judges = {
  not_null: judgeNotNull,
  of_type: judgeOfType,
  in_range: judgeInRange,
  in_set: judgeInSet,
  match_regex: judgeMatchRegex,
  unique: judgeUnique,
  compare: judgeCompare,
  predicate: judgePredicate,
  share: judgeShare,
  freshness: judgeFreshness,
  row_age: judgeRowAge,
  agreement: judgeAgreement,
  novelty: judgeNovelty,
};

/** The columns an expectation reads (a predicate without `columns` declares none). */
export function expectationColumns(expectation: Expectation): string[] {
  switch (expectation.type) {
    case "unique":
      return keyColumns(expectation);
    case "compare":
      return [expectation.left, expectation.right];
    case "predicate":
      return expectation.columns ?? [];
    case "share":
      return expectation.column === undefined ? (expectation.columns ?? []) : [expectation.column];
    case "agreement":
      return [expectation.column, expectation.reference];
    case "novelty":
      return expectation.model.columns;
    default:
      return [expectation.column];
  }
}

/** Judges every expectation of a (valid) suite on `data`. */
export function judgeSuite(
  suite: ExpectationSuite,
  data: DatasetColumns,
  source: ValidatedSource,
  context: { now: number; maxExamples: number },
): ValidationResult {
  const judgeContext: JudgeContext = { data, ...context };
  const results = suite.expectations.map((expectation, index): ExpectationResult => {
    const columns = expectationColumns(expectation);
    const judgement = judgeOne(expectation, columns, judgeContext);
    const description =
      expectation.description ??
      (expectation.type === "predicate"
        ? expectation.name
        : expectation.type === "share"
          ? expectation.name
          : undefined);
    return {
      index,
      type: expectation.type,
      dimension: expectation.dimension ?? DEFAULT_DIMENSIONS[expectation.type],
      columns,
      ...(description === undefined ? {} : { description }),
      ...judgement,
      unexpectedPercent:
        judgement.unexpectedCount === null
          ? null
          : judgement.elementCount === 0
            ? 0
            : (judgement.unexpectedCount / judgement.elementCount) * 100,
      weight: expectation.weight ?? 1,
    };
  });
  const succeeded = results.filter((r) => r.success).length;
  return {
    suite: suite.name,
    ...(suite.dataset === undefined ? {} : { dataset: suite.dataset }),
    source,
    success: succeeded === results.length,
    rowCount: data.rowCount,
    ...scoreDimensions(results),
    counts: { expectations: results.length, succeeded, failed: results.length - succeeded },
    results,
    now: new Date(context.now).toISOString(),
    validatedAt: new Date().toISOString(),
  };
}

function judgeOne(expectation: Expectation, columns: string[], context: JudgeContext): Judgement {
  const missing = context.data.missingColumns(columns);
  if (missing.length === 0) {
    const judge = JUDGES[expectation.type] as (e: Expectation, c: JudgeContext) => Judgement;
    return judge(expectation, context);
  }
  // Its demand in words, from judging it on no rows.
  const { expected, mostly } = judgeOne(expectation, [], {
    ...context,
    data: DatasetColumns.of([]),
  });
  const names = missing.map((name) => `"${name}"`).join(", ");
  return notEvaluated(
    `${missing.length === 1 ? "column" : "columns"} ${names} ${missing.length === 1 ? "is" : "are"} not in the data; its columns are: ${context.data.columnNames.join(", ") || "(none)"}`,
    expected,
    { mostly },
  );
}
