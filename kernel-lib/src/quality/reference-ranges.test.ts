// rangeRulesFromReference: rules from the reference's min and max, widened by a margin.
import { describe, expect, it } from "vitest";
import { QualityOptionsError } from "./errors";
import { rangeRulesFromReference, type RangeRuleOptions } from "./reference-ranges";

const reference = [
  { temp: 20, pressure: 1, flow: 5n, site: "A" },
  { temp: 80, pressure: 1.5, flow: 7n, site: "B" },
  { temp: 50, pressure: null, flow: 6n, site: "C" },
];

describe("rangeRulesFromReference", () => {
  const cases: [string, string[], RangeRuleOptions | undefined, unknown[]][] = [
    [
      "min to max without margin",
      ["temp"],
      undefined,
      [{ type: "in_range", column: "temp", min: 20, max: 80 }],
    ],
    [
      "a 10% margin of the span on each side; missing values skipped; bigints",
      ["temp", "pressure", "flow"],
      { margin: 0.1 },
      [
        { type: "in_range", column: "temp", min: 14, max: 86 },
        { type: "in_range", column: "pressure", min: 0.95, max: 1.55 },
        { type: "in_range", column: "flow", min: 4.8, max: 7.2 },
      ],
    ],
    [
      "mostly and dimension carried over",
      ["temp"],
      { mostly: 0.99, dimension: "accuracy" },
      [{ type: "in_range", column: "temp", min: 20, max: 80, mostly: 0.99, dimension: "accuracy" }],
    ],
  ];
  it.each(cases)("%s", (_name, columns, options, expected) => {
    const rules = rangeRulesFromReference(reference, columns, options);
    expect(rules).toHaveLength(expected.length);
    rules.forEach((rule, i) => {
      const want = expected[i] as Record<string, unknown>;
      expect(Object.keys(rule).sort()).toEqual(Object.keys(want).sort());
      for (const [key, value] of Object.entries(want)) {
        if (typeof value === "number")
          expect(rule[key as keyof typeof rule]).toBeCloseTo(value, 12);
        else expect(rule[key as keyof typeof rule]).toEqual(value);
      }
    });
  });

  it.each([
    [
      ["nope"],
      {},
      'The reference data has no column "nope"; its columns are: temp, pressure, flow, site.',
    ],
    [["site"], {}, 'Reference row 0, column "site" holds "A", which is not a finite number.'],
    [["temp"], { margin: -1 }, "margin must be a number >= 0"],
  ])("rejects %o with %o", (columns, options, message) => {
    expect(() => rangeRulesFromReference(reference, columns, options)).toThrow(QualityOptionsError);
    expect(() => rangeRulesFromReference(reference, columns, options)).toThrow(message);
  });

  it("rejects a column without values", () => {
    expect(() => rangeRulesFromReference([{ a: null }, { a: NaN }], ["a"])).toThrow(
      'Column "a" of the reference data has no values to derive a range from.',
    );
  });
});
