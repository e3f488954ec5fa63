// defineSuite: valid suites pass through (JSON round trips included), malformed ones fail with
// one SuiteDefinitionError that lists every problem with its path.
import { describe, expect, it } from "vitest";
import { defineSuite, suiteProblems } from "./define-suite";
import { SuiteDefinitionError } from "./errors";
import { EXPECTATION_TYPES, type NoveltyModel } from "./suite-format";

const model: NoveltyModel = {
  kind: "kmeans",
  columns: ["temp", "pressure"],
  mean: [50, 1],
  std: [10, 0.1],
  centroids: [
    [0, 0],
    [1, 1],
  ],
  threshold: 2.5,
  quantile: 0.99,
  seed: 7,
  referenceRows: 100,
};

const suite = (...expectations: unknown[]) => ({ name: "s", expectations });

describe("defineSuite: valid suites", () => {
  const valid: [string, unknown][] = [
    ["an empty suite", { name: "s", expectations: [] }],
    [
      "every JSON expectation type with its optional fields",
      {
        name: "wafer-batch",
        dataset: "sensors",
        description: "incoming batches",
        expectations: [
          {
            type: "not_null",
            column: "temp",
            mostly: 0.99,
            weight: 2,
            description: "temp is there",
          },
          { type: "of_type", column: "temp", valueType: "number" },
          { type: "in_range", column: "temp", min: 20, max: 80, strictMin: true, strictMax: false },
          { type: "in_range", column: "temp", max: 80 },
          { type: "in_set", column: "state", values: ["ok", "warn", 3, true] },
          { type: "match_regex", column: "wafer", pattern: "^W\\d+$", flags: "i" },
          { type: "unique", column: "id" },
          { type: "unique", columns: ["wafer", "step"], mostly: 1 },
          { type: "compare", left: "start", op: "<=", right: "end" },
          { type: "share", column: "is_event", max: 0.05 },
          { type: "share", column: "state", equals: "abnormal", min: 0, max: 0.1 },
          { type: "freshness", column: "at", maxAgeMs: 3_600_000 },
          { type: "row_age", column: "at", maxAgeMs: 86_400_000, mostly: 0.9 },
          { type: "agreement", column: "pred", reference: "label", tolerance: 0.5 },
          { type: "agreement", column: "pred", reference: "label", dimension: "validity" },
          { type: "novelty", model, mostly: 0.95 },
        ],
      },
    ],
    [
      "TypeScript rules",
      suite(
        { type: "predicate", name: "flow rises", rule: () => true, columns: ["flow"] },
        { type: "share", rule: () => false, name: "events", max: 0.1 },
      ),
    ],
  ];
  it.each(valid)("accepts %s", (_name, json) => {
    expect(defineSuite(json)).toBe(json);
    expect(suiteProblems(JSON.parse(JSON.stringify(json)))).toEqual(
      // Functions vanish in JSON: only the TypeScript rules' suite has problems then.
      _name === "TypeScript rules"
        ? [
            {
              path: "expectations[0].rule",
              message:
                "expected a function (row) => boolean, got nothing (functions do not survive JSON: add such rules in code)",
            },
            {
              path: "expectations[1]",
              message:
                "expected either column (with equals, default true or 1) or rule (a row predicate), exactly one of them",
            },
          ]
        : [],
    );
  });
});

describe("defineSuite: malformed suites", () => {
  const malformed: [string, unknown, [path: string, message: string | RegExp][]][] = [
    [
      "not an object",
      [],
      [["(suite)", "expected an object with name and expectations, got an empty array"]],
    ],
    [
      "no name, expectations not an array",
      { expectations: {} },
      [
        ["name", "expected a suite name (a non-empty string), got nothing"],
        ["expectations", "expected an array of expectations, got an object"],
      ],
    ],
    [
      "unknown suite property",
      { name: "s", expectations: [], owner: "me" },
      [["owner", /^unknown property of a suite; its properties are: name, dataset/]],
    ],
    [
      "mostly out of range",
      suite(
        { type: "not_null", column: "a" },
        { type: "not_null", column: "a" },
        { type: "not_null", column: "a", mostly: 1.5 },
      ),
      [["expectations[2].mostly", "expected a number between 0 and 1, got 1.5"]],
    ],
    [
      "unknown expectation type",
      suite({ type: "not_nul", column: "a" }),
      [
        [
          "expectations[0].type",
          `unknown expectation type "not_nul"; known types: ${EXPECTATION_TYPES.join(", ")}`,
        ],
      ],
    ],
    [
      "no type",
      suite({ column: "a" }),
      [
        [
          "expectations[0].type",
          /^expected an expectation type, got nothing; known types: not_null, /,
        ],
      ],
    ],
    [
      "unknown dimension",
      suite({ type: "not_null", column: "a", dimension: "complete" }),
      [
        [
          "expectations[0].dimension",
          'unknown dimension "complete"; expected one of completeness, validity, uniqueness, consistency, timeliness, accuracy',
        ],
      ],
    ],
    [
      "missing column name",
      suite({ type: "in_range", max: 1 }),
      [["expectations[0].column", "expected a column name (a non-empty string), got nothing"]],
    ],
    [
      "empty column name",
      suite({ type: "not_null", column: " " }),
      [["expectations[0].column", 'expected a column name (a non-empty string), got " "']],
    ],
    [
      "unknown property, with the type's properties",
      suite({ type: "not_null", column: "a", mostyl: 0.9 }),
      [
        [
          "expectations[0].mostyl",
          "unknown property of not_null; its properties are: type, column, dimension, weight, description, mostly",
        ],
      ],
    ],
    [
      "mostly on an expectation of one statistic",
      suite({ type: "share", column: "e", max: 0.1, mostly: 0.9 }),
      [
        [
          "expectations[0].mostly",
          "share judges one statistic, not rows, so mostly does not apply; remove it (bound the share with min and max)",
        ],
      ],
    ],
    [
      "in_range without bounds",
      suite({ type: "in_range", column: "a" }),
      [["expectations[0]", "expected min, max or both (a range), got neither"]],
    ],
    [
      "in_range with min > max",
      suite({ type: "in_range", column: "a", min: 2, max: 1 }),
      [["expectations[0]", "min (2) is greater than max (1)"]],
    ],
    [
      "in_range with a text bound",
      suite({ type: "in_range", column: "a", min: "0" }),
      [["expectations[0].min", 'expected a finite number, got "0"']],
    ],
    [
      "of_type with an unknown type",
      suite({ type: "of_type", column: "a", valueType: "float" }),
      [
        [
          "expectations[0].valueType",
          'unknown value type "float"; expected one of number, integer, string, boolean, timestamp',
        ],
      ],
    ],
    [
      "in_set without values",
      suite({ type: "in_set", column: "a", values: [] }),
      [
        [
          "expectations[0].values",
          "expected a non-empty array of allowed values, got an empty array",
        ],
      ],
    ],
    [
      "in_set with an object value",
      suite({ type: "in_set", column: "a", values: [1, {}] }),
      [
        [
          "expectations[0].values[1]",
          "expected a string, a finite number or a boolean, got an object",
        ],
      ],
    ],
    [
      "match_regex with a bad pattern",
      suite({ type: "match_regex", column: "a", pattern: "(" }),
      [["expectations[0].pattern", /^not a valid regular expression: /]],
    ],
    [
      "match_regex with bad flags",
      suite({ type: "match_regex", column: "a", pattern: "a", flags: "x" }),
      [["expectations[0].flags", 'expected RegExp flags (letters of "dgimsuvy"), got "x"']],
    ],
    [
      "unique with both column and columns",
      suite({ type: "unique", column: "a", columns: ["a", "b"] }),
      [
        [
          "expectations[0]",
          "expected either column (a single key) or columns (a compound key), exactly one of them",
        ],
      ],
    ],
    [
      "unique with a repeated column",
      suite({ type: "unique", columns: ["a", "a"] }),
      [["expectations[0].columns", 'column "a" is listed more than once']],
    ],
    [
      "compare with an unknown operator",
      suite({ type: "compare", left: "a", op: "=<", right: "b" }),
      [["expectations[0].op", 'unknown operator "=<"; expected one of <, <=, ==, !=, >=, >']],
    ],
    [
      "share without bounds",
      suite({ type: "share", column: "e" }),
      [["expectations[0]", "expected min, max or both (bounds of the share), got neither"]],
    ],
    [
      "share with a bound above 1",
      suite({ type: "share", column: "e", max: 5 }),
      [["expectations[0].max", "expected a number between 0 and 1, got 5"]],
    ],
    [
      "share with equals and a rule",
      suite({ type: "share", rule: () => true, equals: 1, max: 0.1 }),
      [["expectations[0].equals", "equals applies to column; a rule decides by itself"]],
    ],
    [
      "freshness with a negative age",
      suite({ type: "freshness", column: "t", maxAgeMs: -1 }),
      [["expectations[0].maxAgeMs", "expected a finite number >= 0, got -1"]],
    ],
    [
      "agreement without reference",
      suite({ type: "agreement", column: "p" }),
      [["expectations[0].reference", "expected a column name (a non-empty string), got nothing"]],
    ],
    [
      "predicate without a name",
      suite({ type: "predicate", rule: () => true }),
      [["expectations[0].name", "expected a name for the rule (a non-empty string), got nothing"]],
    ],
    [
      "a zero weight",
      suite({ type: "not_null", column: "a", weight: 0 }),
      [["expectations[0].weight", "expected a finite number > 0, got 0"]],
    ],
    [
      "an expectation that is no object",
      suite("not_null"),
      [["expectations[0]", 'expected an expectation object with a type, got "not_null"']],
    ],
    [
      "a novelty model of mismatched shapes",
      suite({
        type: "novelty",
        model: { ...model, std: [1, 0], centroids: [[0, 0], [1]], quantile: 2, extra: 1 },
      }),
      [
        ["expectations[0].model.extra", /^unknown property of a novelty model/],
        ["expectations[0].model.std", "expected 2 numbers > 0 (one per column), got an array of 2"],
        [
          "expectations[0].model.centroids[1]",
          "expected 2 finite numbers (one per column), got an array of 1",
        ],
        ["expectations[0].model.quantile", "expected a number between 0 and 1, got 2"],
      ],
    ],
    [
      "a novelty model that is no object",
      suite({ type: "novelty", model: "m" }),
      [["expectations[0].model", 'expected a novelty model from fitNoveltyModel, got "m"']],
    ],
  ];

  it.each(malformed)("%s", (_name, json, expected) => {
    const problems = suiteProblems(json);
    expect(problems).toHaveLength(expected.length);
    problems.forEach((problem, i) => {
      const [path, message] = expected[i]!;
      expect(problem.path).toBe(path);
      if (typeof message === "string") expect(problem.message).toBe(message);
      else expect(problem.message).toMatch(message);
    });
  });

  it("throws one SuiteDefinitionError listing every problem with its path", () => {
    const json = suite(
      { type: "not_null", column: "a", mostly: 1.5 },
      { type: "in_range", column: "", min: 0 },
      { type: "bogus" },
    );
    const error = (() => {
      try {
        defineSuite(json);
      } catch (e) {
        return e as SuiteDefinitionError;
      }
      throw new Error("defineSuite accepted a malformed suite");
    })();
    expect(error).toBeInstanceOf(SuiteDefinitionError);
    expect(error.problems.map((p) => p.path)).toEqual([
      "expectations[0].mostly",
      "expectations[1].column",
      "expectations[2].type",
    ]);
    expect(error.message).toContain('Suite "s" is not valid (3 problems):\n');
    expect(error.message).toContain(
      "  expectations[0].mostly: expected a number between 0 and 1, got 1.5\n",
    );
    expect(error.message).toContain("docs/data-quality.md");
  });
});
