// check and validate: the result's shape (scores, counts, JSON), missing columns, the error a
// failing suite throws, bad arguments, the report, and that `kiln.dq` loads no heavy package.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { Table, TimestampMillisecond, vectorFromArray } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { DataQualityError, QualityOptionsError, SuiteDefinitionError } from "./errors";
import { formatReport } from "./report";
import type { ExpectationSuite, Row } from "./suite-format";
import { check, validate } from "./validate";

const NOW = "2026-11-01T12:00:00Z";

const rows: Row[] = [
  { id: 1n, temp: 20, state: "ok", at: "2026-11-01T11:00:00Z" },
  { id: 2n, temp: 30, state: "ok", at: "2026-11-01T11:30:00Z" },
  { id: 2n, temp: 99, state: "fault", at: "2026-11-01T11:45:00Z" },
  { id: 4n, temp: null, state: "ok", at: "2026-11-01T11:50:00Z" },
];

const suite: ExpectationSuite = {
  name: "plant",
  dataset: "sensors",
  expectations: [
    { type: "not_null", column: "temp", mostly: 0.7 }, // passes: 3 of 4
    { type: "in_range", column: "temp", min: 0, max: 50 }, // fails: 99
    { type: "in_set", column: "state", values: ["ok", "fault"], weight: 3 }, // passes
    { type: "unique", column: "id" }, // fails: 2n twice
    { type: "freshness", column: "at", maxAgeMs: 3_600_000 }, // passes: 10 minutes
  ],
};

describe("check", () => {
  it("reports every expectation, counts and weighted scores per dimension", async () => {
    const result = await check(rows, suite, { now: NOW });
    expect(result).toMatchObject({
      suite: "plant",
      dataset: "sensors",
      source: { kind: "records" },
      success: false,
      rowCount: 4,
      counts: { expectations: 5, succeeded: 3, failed: 2 },
      now: "2026-11-01T12:00:00.000Z",
    });
    expect(result.results.map((r) => [r.index, r.type, r.dimension, r.success])).toEqual([
      [0, "not_null", "completeness", true],
      [1, "in_range", "validity", false],
      [2, "in_set", "validity", true],
      [3, "unique", "uniqueness", false],
      [4, "freshness", "timeliness", true],
    ]);
    expect(result.dimensions).toEqual({
      completeness: { score: 1, expectations: 1, succeeded: 1, failed: 0 },
      validity: { score: 0.75, expectations: 2, succeeded: 1, failed: 1 }, // weights 1 (failed) and 3
      uniqueness: { score: 0, expectations: 1, succeeded: 0, failed: 1 },
      consistency: { score: null, expectations: 0, succeeded: 0, failed: 0 },
      timeliness: { score: 1, expectations: 1, succeeded: 1, failed: 0 },
      accuracy: { score: null, expectations: 0, succeeded: 0, failed: 0 },
    });
    expect(result.score).toBeCloseTo(5 / 7, 12); // weights 1 + 3 + 1 of 7 succeeded
  });

  it("gives a result that is JSON as it is (bigints as numbers)", async () => {
    const result = await check(rows, suite, { now: NOW });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(result.results[3]!.unexpectedExamples).toEqual([
      { index: 1, value: 2 },
      { index: 2, value: 2 },
    ]);
  });

  it("fails an expectation on a missing column with a clear observation, and judges the rest", async () => {
    const result = await check(
      rows,
      {
        name: "s",
        expectations: [
          { type: "compare", left: "temp", op: "<=", right: "temp_max" },
          { type: "not_null", column: "temp", mostly: 0.5 },
        ],
      },
      { now: NOW },
    );
    expect(result.results[0]).toMatchObject({
      success: false,
      evaluated: false,
      columns: ["temp", "temp_max"],
      observed: 'column "temp_max" is not in the data; its columns are: id, temp, state, at',
      expected: "temp <= temp_max for every row",
      mostly: 1,
      elementCount: 0,
      unexpectedCount: null,
      unexpectedPercent: null,
    });
    expect(result.results[1]!.success).toBe(true);
  });

  it("lists at most maxExamples unexpected values", async () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ v: i }));
    const result = await check(
      many,
      { name: "s", expectations: [{ type: "in_range", column: "v", max: 9 }] },
      { maxExamples: 3 },
    );
    expect(result.results[0]).toMatchObject({
      unexpectedCount: 40,
      unexpectedPercent: 80,
      unexpectedExamples: [
        { index: 10, value: 10 },
        { index: 11, value: 11 },
        { index: 12, value: 12 },
      ],
    });
  });

  it("measures ages from the current time by default", async () => {
    const recent = [{ at: new Date(Date.now() - 60_000) }];
    const result = await check(recent, {
      name: "s",
      expectations: [{ type: "freshness", column: "at", maxAgeMs: 3_600_000 }],
    });
    expect(result.success).toBe(true);
    expect(result.results[0]!.observed).toBeGreaterThanOrEqual(60_000);
  });

  it("reads timestamp-typed Arrow columns as timestamps", async () => {
    const times = [Date.parse("2026-11-01T11:00:00Z"), Date.parse("2026-11-01T11:59:00Z")];
    const table = new Table({ at: vectorFromArray(times, new TimestampMillisecond("UTC")) });
    const result = await check(
      table,
      {
        name: "s",
        expectations: [
          { type: "of_type", column: "at", valueType: "timestamp" },
          { type: "of_type", column: "at", valueType: "number" },
          { type: "freshness", column: "at", maxAgeMs: 120_000 },
        ],
      },
      { now: NOW },
    );
    expect(result.results.map((r) => r.success)).toEqual([true, false, true]);
    expect(result.results[0]!.details).toEqual({ observedTypes: { timestamp: 2 } });
  });

  it("judges an empty batch: row-wise expectations hold, one-statistic ones fail", async () => {
    const result = await check([], {
      name: "s",
      expectations: [
        { type: "not_null", column: "a" },
        { type: "share", column: "e", max: 0.1 },
      ],
    });
    expect(result.results.map((r) => [r.success, r.evaluated, r.elementCount])).toEqual([
      [true, true, 0],
      [false, false, 0],
    ]);
  });

  const badCalls: [string, () => Promise<unknown>, new (...args: never[]) => Error, string][] = [
    [
      "a malformed suite",
      () => check(rows, { name: "s", expectations: [{ type: "nope" }] } as never),
      SuiteDefinitionError,
      'expectations[0].type: unknown expectation type "nope"',
    ],
    [
      "data of an unknown shape",
      () => check(42 as never, suite),
      QualityOptionsError,
      "Cannot read data from a number (42).",
    ],
    [
      "records that are no objects",
      () => check([1, 2] as never, suite),
      QualityOptionsError,
      "Record 0 of the data is a number (1), not an object.",
    ],
    [
      "a lake reference with a version and a tag",
      () => check({ table: "t", version: 1, tag: "x" }, suite),
      QualityOptionsError,
      'Cannot read lake table "t": it gives both a version and a tag.',
    ],
    [
      "a bad now",
      () => check(rows, suite, { now: "yesterday" }),
      QualityOptionsError,
      'now must be a Date, epoch milliseconds or ISO-8601 text, got "yesterday".',
    ],
    [
      "a bad maxExamples",
      () => check(rows, suite, { maxExamples: -1 }),
      QualityOptionsError,
      "maxExamples must be an integer >= 0, got -1.",
    ],
  ];
  it.each(badCalls)("rejects %s", async (_name, call, type, message) => {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toContain(message);
  });
});

describe("validate", () => {
  it("resolves with the result when the suite passes", async () => {
    const passing: ExpectationSuite = {
      name: "ok",
      expectations: [suite.expectations[0]!, suite.expectations[2]!],
    };
    const result = await validate(rows, passing, { now: NOW });
    expect(result.success).toBe(true);
  });

  it("throws DataQualityError naming each failed expectation: dimension, columns, observed vs expected", async () => {
    const error = await validate(rows, suite, { now: NOW }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataQualityError);
    const dq = error as DataQualityError;
    expect(dq.name).toBe("DataQualityError");
    expect(dq.failures.map((f) => f.index)).toEqual([1, 3]);
    expect(dq.result.counts).toEqual({ expectations: 5, succeeded: 3, failed: 2 });
    expect(dq.message).toBe(
      [
        'Suite "plant" failed 2 of 5 expectations on 4 records:',
        "  - validity in_range(temp): observed 66.67% met (1 of 3 unexpected, e.g. 99 at row 2; 1 missing skipped); expected values in [0, 50] for every value",
        "  - uniqueness unique(id): observed 50% met (2 of 4 unexpected, e.g. 2 at row 1, 2 at row 2); expected unique values of id for every row",
        " Fix the data (or the suite, if an expectation is wrong); error.result holds every expectation's outcome.",
      ].join("\n"),
    );
  });
});

describe("formatReport", () => {
  it("gives the outcome, the scores and one line per expectation", async () => {
    const report = formatReport(await check(rows, suite, { now: NOW }));
    expect(report.split("\n")).toEqual([
      'Suite "plant" on 4 records: FAILED, 2 of 5 expectations failed (score 0.71)',
      "  scores: completeness 1, validity 0.75, uniqueness 0, timeliness 1",
      "  ✓ completeness not_null(temp): observed 75% met (1 of 4 unexpected, e.g. null at row 3); expected a value (not null) for at least 70% of rows",
      "  ✗ validity in_range(temp): observed 66.67% met (1 of 3 unexpected, e.g. 99 at row 2; 1 missing skipped); expected values in [0, 50] for every value",
      '  ✓ validity in_set(state): observed 100% met (0 of 4 unexpected); expected values in {"ok", "fault"} for every value',
      "  ✗ uniqueness unique(id): observed 50% met (2 of 4 unexpected, e.g. 2 at row 1, 2 at row 2); expected unique values of id for every row",
      "  ✓ timeliness freshness(at): observed newest event 10m old (at 2026-11-01T11:50:00.000Z); expected newest event at most 1h old",
    ]);
  });
});

describe("kiln.dq", () => {
  it("is on the package root and loads neither Arrow nor LanceDB until used", async () => {
    const root = join(__dirname, "..", "index.ts");
    const script = `
      const kiln = require(${JSON.stringify(root)});
      const loaded = Object.keys(require.cache);
      console.log(JSON.stringify({
        dq: Object.keys(kiln.dq).filter((k) => ["check", "validate", "defineSuite", "fitNoveltyModel"].includes(k)).sort(),
        heavy: loaded.filter((k) => /node_modules\\/(apache-arrow|@lancedb|parquet-wasm|@tensorflow)\\//.test(k)).length,
      }));`;
    const tsx = join(__dirname, "..", "..", "..", "node_modules", ".bin", "tsx");
    const { stdout } = await promisify(execFile)(tsx, ["-e", script]);
    expect(JSON.parse(stdout.trim())).toEqual({
      dq: ["check", "defineSuite", "fitNoveltyModel", "validate"],
      heavy: 0,
    });
  });
});
