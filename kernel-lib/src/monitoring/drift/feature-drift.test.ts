import { describe, expect, it } from "vitest";
import { DriftInputError, DriftOptionsError } from "./errors";
import { featureDrift, type FeatureDriftOptions } from "./feature-drift";
import { inferFeatureKind, presentValues, type DriftValue } from "./feature-values";

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe("presentValues", () => {
  it("sets aside null, undefined, NaN and ±Infinity, and counts them", () => {
    expect(presentValues([1, null, undefined, NaN, Infinity, -Infinity, 0, "a", false])).toEqual({
      values: [1, 0, "a", false],
      missing: 5,
    });
  });
});

describe("inferFeatureKind (Evidently's infer_column_type)", () => {
  const cases: [string, DriftValue[], "numerical" | "categorical"][] = [
    ["floats", [0.5, 1, 2], "numerical"],
    ["integers, 10 distinct", range(10), "categorical"],
    ["integers, 11 distinct", range(11), "numerical"],
    ["binary integers", [0, 1, 1, 0], "categorical"],
    ["strings", ["a", "b"], "categorical"],
    ["booleans", [true, false], "categorical"],
    ["numbers mixed with strings", [1, "a"], "categorical"],
  ];
  it.each(cases)("%s → %s", (_, values, kind) => {
    expect(inferFeatureKind(presentValues(values).values)).toBe(kind);
  });
});

describe("featureDrift", () => {
  it("reports method, score, threshold, verdict, sizes and missing counts", () => {
    const drift = featureDrift("t", [...range(50), null, NaN], [...range(50, 25), Infinity]);
    expect(drift).toMatchObject({
      kind: "numerical",
      kindSource: "inferred",
      method: "ks",
      statistic: 0.5,
      threshold: 0.05,
      drifted: true,
      referenceSize: 50,
      currentSize: 50,
      referenceMissing: 2,
      currentMissing: 1,
    });
    expect(drift.score).toBe(drift.pValue);
  });

  it("takes the caller's kind, method and threshold", () => {
    const drift = featureDrift("code", range(30), range(30), {
      kind: "categorical",
      method: "psi",
      threshold: 0.2,
    });
    expect(drift).toMatchObject({
      kind: "categorical",
      kindSource: "declared",
      method: "psi",
      score: 0,
      pValue: null,
      threshold: 0.2,
      drifted: false,
    });
  });

  it("lets the default pick chisquare for a numerical feature with few values", () => {
    expect(featureDrift("x", [1.5, 2.5, 3.5], [1.5, 2.5], { kind: "numerical" }).method).toBe(
      "chisquare",
    );
  });

  const errors: [
    string,
    DriftValue[],
    DriftValue[],
    FeatureDriftOptions,
    typeof DriftInputError | typeof DriftOptionsError,
    RegExp,
  ][] = [
    ["empty reference", [], [1], {}, DriftInputError, /reference sample is empty \(no values\)/],
    [
      "all-missing reference",
      [null, NaN],
      [1],
      {},
      DriftInputError,
      /reference sample is empty \(2 values, all missing\)/,
    ],
    [
      "empty window",
      [1],
      [],
      {},
      DriftInputError,
      /current window is empty \(no values\).*Widen the window/,
    ],
    [
      "all-missing window",
      [1],
      [undefined],
      {},
      DriftInputError,
      /current window is empty \(1 value, all missing\)/,
    ],
    [
      "strings in a numerical feature",
      [1, 2],
      [1, "2"],
      { kind: "numerical" },
      DriftInputError,
      /is numerical but its current window holds "2" \(a string\)/,
    ],
    [
      "unknown method",
      [1],
      [1],
      { method: "anova" as never },
      DriftOptionsError,
      /unknown drift method "anova"; expected one of ks, chisquare/,
    ],
    [
      "ks on a categorical feature",
      ["a"],
      ["b"],
      { method: "ks" },
      DriftOptionsError,
      /method "ks" applies to numerical features, but "x" is categorical\. Use chisquare, z, jensenshannon, psi/,
    ],
    [
      "chisquare on a declared numerical feature",
      [1.5],
      [2.5],
      { kind: "numerical", method: "chisquare" },
      DriftOptionsError,
      /applies to categorical features/,
    ],
    [
      "a threshold that is not a number",
      [1.5],
      [2.5],
      { threshold: NaN },
      DriftOptionsError,
      /threshold NaN is not a finite number/,
    ],
    [
      "an unknown kind",
      [1],
      [1],
      { kind: "text" as never },
      DriftOptionsError,
      /unknown kind "text"/,
    ],
  ];
  it.each(errors)("throws on %s", (_, reference, current, options, type, message) => {
    const call = () => featureDrift("x", reference, current, options);
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });

  it("names the feature on input errors", () => {
    try {
      featureDrift("pressure", [], [1]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DriftInputError);
      expect((err as DriftInputError).feature).toBe("pressure");
    }
  });
});
