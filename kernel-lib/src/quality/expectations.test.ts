// Every expectation type on small hand-made data: a table of cases, one loop of assertions on
// the result fields (success, observed, element/missing/unexpected counts, examples).
import { tableFromArrays } from "apache-arrow";
import { describe, expect, it } from "vitest";
import type { Expectation, Row } from "./suite-format";
import type { ExpectationResult } from "./validation-result";
import { check } from "./validate";

const NOW = "2026-11-01T12:00:00Z";
const HOUR = 3_600_000;

const sensors: Row[] = [
  { id: 1, temp: 20, flag: false, site: "W0001", start: 1, end: 2, at: "2026-11-01T11:30:00Z" },
  { id: 2, temp: 95, flag: true, site: "W0002", start: 3, end: 2, at: "2026-11-01T10:00:00Z" },
  { id: 3, temp: null, flag: false, site: "X-3", start: 1, end: 1, at: "2026-10-30T12:00:00Z" },
  { id: 3, temp: 50, flag: null, site: 7, start: null, end: 5, at: null },
];

/** Runs one expectation on `rows` and returns its result. */
async function judge(rows: Row[], expectation: Expectation): Promise<ExpectationResult> {
  const result = await check(rows, { name: "t", expectations: [expectation] }, { now: NOW });
  return result.results[0]!;
}

type Case = [
  title: string,
  expectation: Expectation,
  expected: Partial<ExpectationResult>,
  rows?: Row[],
];

const cases: Case[] = [
  // completeness
  [
    "not_null counts every row, NaN and undefined as missing",
    { type: "not_null", column: "temp" },
    {
      dimension: "completeness",
      success: false,
      observed: 0.75,
      elementCount: 4,
      missingCount: 0,
      unexpectedCount: 1,
      unexpectedPercent: 25,
      unexpectedExamples: [{ index: 2, value: null }],
    },
  ],
  [
    "not_null with mostly at the observed share succeeds",
    { type: "not_null", column: "temp", mostly: 0.75 },
    { success: true, observed: 0.75, mostly: 0.75 },
  ],
  [
    "not_null with mostly just above the observed share fails",
    { type: "not_null", column: "temp", mostly: 0.76 },
    { success: false },
  ],
  [
    "not_null treats NaN and absent keys as missing",
    { type: "not_null", column: "v" },
    {
      observed: 1 / 3,
      unexpectedCount: 2,
      unexpectedExamples: [
        { index: 1, value: null },
        { index: 2, value: null },
      ],
    },
    [{ v: 1 }, { v: NaN }, {}],
  ],
  // validity
  [
    "of_type number skips missing values",
    { type: "of_type", column: "site", valueType: "string" },
    {
      dimension: "validity",
      success: false,
      elementCount: 4,
      unexpectedCount: 1,
      unexpectedExamples: [{ index: 3, value: 7 }],
    },
  ],
  [
    "of_type integer takes bigints and whole numbers",
    { type: "of_type", column: "v", valueType: "integer" },
    {
      success: false,
      elementCount: 3,
      unexpectedCount: 1,
      unexpectedExamples: [{ index: 2, value: 1.5 }],
    },
    [{ v: 1 }, { v: 2n }, { v: 1.5 }],
  ],
  [
    "of_type timestamp takes Dates and ISO text, not epoch numbers in records",
    { type: "of_type", column: "v", valueType: "timestamp" },
    {
      unexpectedCount: 2,
      unexpectedExamples: [
        { index: 2, value: 1_700_000_000_000 },
        { index: 3, value: "yesterday" },
      ],
    },
    [{ v: new Date(0) }, { v: "2026-11-01T08:00Z" }, { v: 1_700_000_000_000 }, { v: "yesterday" }],
  ],
  [
    "of_type boolean",
    { type: "of_type", column: "flag", valueType: "boolean" },
    { success: true, elementCount: 3, missingCount: 1, unexpectedCount: 0 },
  ],
  [
    "in_range with both bounds, inclusive, reports observed min and max",
    { type: "in_range", column: "temp", min: 20, max: 80 },
    {
      success: false,
      observed: 2 / 3,
      elementCount: 3,
      missingCount: 1,
      unexpectedCount: 1,
      unexpectedExamples: [{ index: 1, value: 95 }],
      details: { min: 20, max: 95 },
    },
  ],
  [
    "in_range strict bounds exclude the bounds themselves",
    { type: "in_range", column: "temp", min: 20, max: 95, strictMin: true, strictMax: true },
    {
      unexpectedCount: 2,
      unexpectedExamples: [
        { index: 0, value: 20 },
        { index: 1, value: 95 },
      ],
    },
  ],
  [
    "in_range with only max; text is unexpected, bigints compare as numbers",
    { type: "in_range", column: "v", max: 10 },
    {
      unexpectedCount: 2,
      unexpectedExamples: [
        { index: 1, value: 11 },
        { index: 2, value: "5" },
      ],
    },
    [{ v: 10n }, { v: 11n }, { v: "5" }],
  ],
  [
    "in_range mostly tolerates a share of outliers",
    { type: "in_range", column: "temp", min: 0, max: 80, mostly: 0.6 },
    { success: true, observed: 2 / 3 },
  ],
  [
    "in_set compares across number representations",
    { type: "in_set", column: "v", values: [1, "a", true] },
    {
      unexpectedCount: 2,
      unexpectedExamples: [
        { index: 3, value: 2 },
        { index: 4, value: "1" },
      ],
    },
    [{ v: 1n }, { v: "a" }, { v: true }, { v: 2 }, { v: "1" }, { v: null }],
  ],
  [
    "match_regex: non-text values are unexpected",
    { type: "match_regex", column: "site", pattern: "^W\\d{4}$" },
    {
      unexpectedCount: 2,
      unexpectedExamples: [
        { index: 2, value: "X-3" },
        { index: 3, value: 7 },
      ],
    },
  ],
  [
    "match_regex with flags (g is ignored: no state between values)",
    { type: "match_regex", column: "site", pattern: "^w", flags: "gi" },
    { unexpectedCount: 2 },
  ],
  [
    "share of a flag column (true or 1) within bounds",
    { type: "share", column: "flag", max: 0.5 },
    {
      dimension: "validity",
      success: true,
      observed: 1 / 3,
      elementCount: 3,
      missingCount: 1,
      unexpectedCount: null,
      unexpectedPercent: null,
      details: { events: 1, percent: "33.33%" },
    },
  ],
  [
    "share above max fails",
    { type: "share", column: "flag", max: 0.2 },
    { success: false, observed: 1 / 3 },
  ],
  [
    "share below min fails",
    { type: "share", column: "flag", min: 0.5, max: 1 },
    { success: false },
  ],
  [
    "share counts 1 as an event by default",
    { type: "share", column: "v", max: 0.4 },
    { success: false, observed: 0.5 },
    [{ v: 1 }, { v: 0 }, { v: 1n }, { v: 0 }],
  ],
  [
    "share with equals",
    { type: "share", column: "v", equals: "abnormal", max: 0.25 },
    { success: true, observed: 0.25 },
    [{ v: "abnormal" }, { v: "ok" }, { v: "ok" }, { v: "ok" }],
  ],
  [
    "share with a rule judges every row",
    {
      type: "share",
      rule: (row) => Number(row["temp"]) > 80,
      name: "overheated",
      columns: ["temp"],
      max: 0.2,
    },
    {
      success: false,
      observed: 0.25,
      elementCount: 4,
      description: "overheated",
      columns: ["temp"],
    },
  ],
  [
    "share of an empty batch is not evaluated",
    { type: "share", column: "flag", max: 0.5 },
    { success: false, evaluated: false, observed: "no rows to measure the share on" },
    [{ flag: null }],
  ],
  // uniqueness
  [
    "unique: every row of a duplicated key is unexpected",
    { type: "unique", column: "id" },
    {
      dimension: "uniqueness",
      success: false,
      observed: 0.5,
      unexpectedCount: 2,
      unexpectedExamples: [
        { index: 2, value: 3 },
        { index: 3, value: 3 },
      ],
      details: { duplicatedKeys: 1 },
    },
  ],
  [
    "unique on a compound key; rows with a missing key part are skipped; 1n equals 1",
    { type: "unique", columns: ["a", "b"] },
    {
      columns: ["a", "b"],
      elementCount: 4,
      missingCount: 1,
      unexpectedCount: 2,
      unexpectedExamples: [
        { index: 0, value: { a: 1, b: "x" } },
        { index: 1, value: { a: 1, b: "x" } },
      ],
    },
    [
      { a: 1, b: "x" },
      { a: 1n, b: "x" },
      { a: 1, b: "y" },
      { a: 2, b: "x" },
      { a: 2, b: null },
    ],
  ],
  ["unique with mostly", { type: "unique", column: "id", mostly: 0.5 }, { success: true }],
  // consistency
  [
    "compare left <= right, skipping rows missing either",
    { type: "compare", left: "start", op: "<=", right: "end" },
    {
      dimension: "consistency",
      columns: ["start", "end"],
      elementCount: 3,
      missingCount: 1,
      unexpectedCount: 1,
      unexpectedExamples: [{ index: 1, value: { start: 3, end: 2 } }],
    },
  ],
  [
    "compare ==",
    { type: "compare", left: "start", op: "==", right: "end" },
    { unexpectedCount: 2 },
  ],
  [
    "compare: values that do not compare are unexpected; ISO text compares as text",
    { type: "compare", left: "a", op: "<", right: "b" },
    { unexpectedCount: 1, unexpectedExamples: [{ index: 1, value: { a: 1, b: "2" } }] },
    [
      { a: "2026-01-01", b: "2026-02-01" },
      { a: 1, b: "2" },
      { a: new Date(0), b: 5 },
    ],
  ],
  [
    "predicate over the declared columns",
    {
      type: "predicate",
      name: "end after start",
      columns: ["start", "end"],
      rule: (r) => Number(r["end"]) > Number(r["start"]),
    },
    {
      description: "end after start",
      elementCount: 4,
      // Number(null) is 0: the rule decides about missing values itself.
      unexpectedCount: 2,
      unexpectedExamples: [
        { index: 1, value: { start: 3, end: 2 } },
        { index: 2, value: { start: 1, end: 1 } },
      ],
    },
  ],
  [
    "predicate that throws is not evaluated",
    {
      type: "predicate",
      name: "boom",
      rule: (r) => {
        if (r["id"] === 2) throw new Error("no id 2");
        return true;
      },
    },
    { success: false, evaluated: false, observed: "the rule threw at row 1: no id 2", columns: [] },
  ],
  // timeliness
  [
    "freshness passes when the newest event is young enough",
    { type: "freshness", column: "at", maxAgeMs: HOUR },
    {
      dimension: "timeliness",
      success: true,
      observed: HOUR / 2,
      elementCount: 3,
      missingCount: 1,
      unexpectedCount: null,
      details: { newest: "2026-11-01T11:30:00.000Z", age: "30m", invalidTimes: 0 },
    },
  ],
  [
    "freshness fails when the newest event is too old",
    { type: "freshness", column: "at", maxAgeMs: HOUR / 4 },
    { success: false, observed: HOUR / 2 },
  ],
  [
    "freshness without times is not evaluated",
    { type: "freshness", column: "at", maxAgeMs: HOUR },
    { success: false, evaluated: false, observed: "no event times in column at" },
    [{ at: "soon" }, { at: null }],
  ],
  [
    "row_age: rows older than maxAgeMs are unexpected, shown as ISO times",
    { type: "row_age", column: "at", maxAgeMs: 24 * HOUR },
    {
      elementCount: 3,
      missingCount: 1,
      unexpectedCount: 1,
      unexpectedExamples: [{ index: 2, value: "2026-10-30T12:00:00.000Z" }],
    },
  ],
  [
    "row_age takes epoch ms, Dates and ISO text; a row exactly maxAgeMs old is fine",
    { type: "row_age", column: "at", maxAgeMs: HOUR },
    { unexpectedCount: 1, unexpectedExamples: [{ index: 2, value: "2026-11-01T10:59:59.999Z" }] },
    [
      { at: Date.parse(NOW) - HOUR },
      { at: new Date(Date.parse(NOW) - 1) },
      { at: "2026-11-01T10:59:59.999Z" },
    ],
  ],
  [
    "row_age with mostly",
    { type: "row_age", column: "at", maxAgeMs: HOUR, mostly: 0.3 },
    { success: true, observed: 1 / 3 },
  ],
  // accuracy
  [
    "agreement within a tolerance, with the mean absolute error",
    { type: "agreement", column: "pred", reference: "label", tolerance: 0.5 },
    {
      dimension: "accuracy",
      columns: ["pred", "label"],
      observed: 2 / 3,
      elementCount: 3,
      missingCount: 1,
      unexpectedCount: 1,
      unexpectedExamples: [{ index: 2, value: { pred: 4, label: 3 } }],
      details: { meanAbsoluteError: 0.5 },
    },
    [
      { pred: 1, label: 1 },
      { pred: 2.5, label: 2 },
      { pred: 4, label: 3 },
      { pred: null, label: 3 },
    ],
  ],
  [
    "agreement of categories is equality",
    { type: "agreement", column: "pred", reference: "label", mostly: 0.5 },
    {
      success: true,
      observed: 0.5,
      unexpectedExamples: [{ index: 1, value: { pred: "ok", label: "fault" } }],
    },
    [
      { pred: "fault", label: "fault" },
      { pred: "ok", label: "fault" },
    ],
  ],
];

describe("expectations", () => {
  it.each(cases)("%s", async (_title, expectation, expected, rows = sensors) => {
    expect(await judge(rows, expectation)).toMatchObject(expected);
  });
});

describe("expectations on Arrow tables", () => {
  // The same rules on an Arrow table: int64 keys as bigints, timestamps as epoch ms.
  const table = tableFromArrays({
    id: BigInt64Array.from([1n, 2n, 2n]),
    temp: Float64Array.from([20, NaN, 95]),
    at: Float64Array.from([
      Date.parse("2026-11-01T11:30:00Z"),
      Date.parse("2026-11-01T10:00:00Z"),
      NaN,
    ]),
    site: ["W0001", "W0002", "X"],
  });
  const arrowCases: [Expectation, Partial<ExpectationResult>][] = [
    [{ type: "not_null", column: "temp" }, { unexpectedCount: 1 }],
    [
      { type: "in_range", column: "temp", max: 80 },
      { unexpectedCount: 1, missingCount: 1 },
    ],
    [
      { type: "unique", column: "id" },
      {
        unexpectedCount: 2,
        unexpectedExamples: [
          { index: 1, value: 2 },
          { index: 2, value: 2 },
        ],
      },
    ],
    [{ type: "in_set", column: "id", values: [1, 2] }, { success: true }],
    [
      { type: "freshness", column: "at", maxAgeMs: HOUR },
      { success: true, observed: HOUR / 2 },
    ],
    [{ type: "match_regex", column: "site", pattern: "^W" }, { unexpectedCount: 1 }],
  ];
  it.each(arrowCases)("%o", async (expectation, expected) => {
    const result = await check(table, { name: "t", expectations: [expectation] }, { now: NOW });
    expect(result.source).toEqual({ kind: "arrow" });
    expect(result.results[0]).toMatchObject(expected);
  });
});
