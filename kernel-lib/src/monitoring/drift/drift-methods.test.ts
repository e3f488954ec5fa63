import { describe, expect, it } from "vitest";
import { binnedShares, histogram, sturgesEdges } from "./binning";
import { categoryCounts } from "./category-counts";
import { chiSquareTest } from "./chi-square-test";
import {
  DRIFT_METHODS,
  defaultDriftMethod,
  runDriftMethod,
  type DriftMethod,
} from "./drift-methods";
import { jensenShannonDistance } from "./jensen-shannon";
import { ksTwoSample } from "./ks-test";
import { populationStabilityIndex } from "./psi";
import { normedWassersteinDistance, wassersteinDistance } from "./wasserstein";
import { proportionsZTest } from "./z-test";

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
const repeat = <T>(value: T, n: number) => new Array<T>(n).fill(value);

describe("defaultDriftMethod (Evidently's _get_default_stattest)", () => {
  const cases: [string, unknown[], unknown[], "numerical" | "categorical", DriftMethod][] = [
    ["numerical, ≤ 1000 reference values, > 5 distinct", range(1000), range(10), "numerical", "ks"],
    ["numerical, 1001 reference values", range(1001), range(10), "numerical", "wasserstein"],
    ["numerical, 5 distinct over both samples, small", [1, 2, 3], [4, 5], "numerical", "chisquare"],
    ["numerical, 6 distinct over both samples, small", [1, 2, 3], [4, 5, 6], "numerical", "ks"],
    ["numerical, 2 distinct, small", [0, 1, 1], [0], "numerical", "z"],
    ["numerical, 1 distinct, small", [7, 7], [7], "numerical", "z"],
    [
      "numerical, ≤ 5 distinct, large",
      repeat(1, 600).concat(repeat(2, 600)),
      [3],
      "numerical",
      "jensenshannon",
    ],
    ["categorical, 3 categories, small", ["a", "b"], ["c"], "categorical", "chisquare"],
    ["categorical, binary, small", ["a", "b"], ["a"], "categorical", "z"],
    ["categorical, many categories, small", range(100), range(10), "categorical", "chisquare"],
    ["categorical, large", repeat("a", 1001), ["b"], "categorical", "jensenshannon"],
  ];
  it.each(cases)("%s → %s", (_, reference, current, kind, method) => {
    expect(defaultDriftMethod(reference as never, current as never, kind)).toBe(method);
  });
});

describe("drift sides of the threshold (Evidently's comparisons)", () => {
  const cases: [DriftMethod, number, number, boolean][] = [
    ["ks", 0.05, 0.05, true], // p <= threshold
    ["ks", 0.0500001, 0.05, false],
    ["chisquare", 0.05, 0.05, false], // p < threshold
    ["chisquare", 0.0499, 0.05, true],
    ["z", 0.05, 0.05, false],
    ["wasserstein", 0.1, 0.1, true], // distance >= threshold
    ["wasserstein", 0.0999, 0.1, false],
    ["jensenshannon", 0.1, 0.1, true],
    ["psi", 0.1, 0.1, true],
  ];
  it.each(cases)("%s: score %s, threshold %s → drift %s", (method, score, threshold, drift) => {
    expect(DRIFT_METHODS[method].isDrift(score, threshold)).toBe(drift);
  });

  it("has Evidently's default thresholds", () => {
    expect(
      Object.fromEntries(Object.entries(DRIFT_METHODS).map(([m, s]) => [m, s.defaultThreshold])),
    ).toEqual({
      ks: 0.05,
      chisquare: 0.05,
      z: 0.05,
      wasserstein: 0.1,
      jensenshannon: 0.1,
      psi: 0.1,
    });
  });
});

describe("ksTwoSample", () => {
  const cases: [
    string,
    number[],
    number[],
    { statistic: number; pValue: number; pValueMethod: string },
  ][] = [
    [
      "identical samples",
      [1, 2, 3, 4],
      [1, 2, 3, 4],
      { statistic: 0, pValue: 1, pValueMethod: "exact" },
    ],
    [
      "separated samples",
      [1, 2, 3],
      [4, 5, 6],
      { statistic: 1, pValue: 0.09999999999999999, pValueMethod: "exact" },
    ],
    [
      "ties across samples",
      [1, 2, 3, 4],
      [3, 4, 5, 6, 7],
      { statistic: 0.6, pValue: 0.2857142857142857, pValueMethod: "exact" },
    ],
    // Above 10,000 values SciPy's "auto" switches to the asymptotic distribution.
    [
      "20,000 values each",
      range(20000),
      range(20000, 500),
      { statistic: 0.025000000000000078, pValue: 7.319405460270585e-6, pValueMethod: "asymptotic" },
    ],
  ];
  it.each(cases)("%s", (_, a, b, expected) => {
    const result = ksTwoSample(a, b);
    expect(result.pValueMethod).toBe(expected.pValueMethod);
    expect(result.statistic).toBeCloseTo(expected.statistic, 12);
    expect(result.pValue).toBeCloseTo(expected.pValue, 12);
  });

  it("rejects an empty sample", () => {
    expect(() => ksTwoSample([], [1])).toThrow(RangeError);
  });
});

describe("categorical tests", () => {
  it("counts categories over both samples, reference first", () => {
    expect(categoryCounts(["a", "b", "b"], ["b", "c"])).toEqual({
      keys: ["a", "b", "c"],
      reference: [1, 2, 0],
      current: [0, 1, 1],
    });
  });

  const chiCases: [string, unknown[], unknown[], { statistic: number; pValue: number }][] = [
    [
      "known value",
      ["a", "a", "b", "c"],
      ["a", "b", "b", "c"],
      { statistic: 1.5, pValue: Math.exp(-0.75) },
    ],
    [
      "a category new in the current sample",
      ["a", "b"],
      ["a", "c"],
      { statistic: Infinity, pValue: 0 },
    ],
    // SciPy gives NaN for a single category; nothing can differ, so Kiln says p = 1 (no drift either way).
    ["a single category", ["a", "a"], ["a"], { statistic: 0, pValue: 1 }],
  ];
  it.each(chiCases)("chiSquareTest: %s", (_, reference, current, expected) => {
    const result = chiSquareTest(reference as string[], current as string[]);
    expect(result.statistic).toBeCloseTo(expected.statistic, 12);
    expect(result.pValue).toBeCloseTo(expected.pValue, 12);
  });

  const zCases: [string, unknown[], unknown[], { statistic: number; pValue: number }][] = [
    [
      "known value",
      [0, 0, 1, 1],
      [1, 1, 1, 0],
      { statistic: -0.7302967433402214, pValue: 0.4652088184521418 },
    ],
    ["same single value", ["x", "x"], ["x"], { statistic: 0, pValue: 1 }],
    [
      "one value each, different",
      [false, false],
      [true],
      { statistic: -Math.sqrt(3), pValue: 0.08326451666355039 },
    ],
  ];
  it.each(zCases)("proportionsZTest: %s", (_, reference, current, expected) => {
    const result = proportionsZTest(reference as never, current as never);
    expect(result.statistic).toBeCloseTo(expected.statistic, 12);
    expect(result.pValue).toBeCloseTo(expected.pValue, 12);
  });
});

describe("distances", () => {
  it("Wasserstein: a shift by 5 costs 5; normed by the reference's standard deviation", () => {
    expect(wassersteinDistance([0, 1, 3], [5, 6, 8])).toBeCloseTo(5, 12);
    expect(normedWassersteinDistance([0, 1, 3], [5, 6, 8])).toBeCloseTo(5 / Math.sqrt(42 / 27), 12);
  });

  it("Wasserstein normed: a constant reference divides by 0.001", () => {
    expect(normedWassersteinDistance([2, 2, 2], [2.001, 2.001])).toBeCloseTo(1, 9);
  });

  it("bins a numerical feature by Sturges' rule only above 20 distinct reference values", () => {
    expect(sturgesEdges(range(10))).toEqual([0, 1.8, 3.6, 5.4, 7.2, 9]);
    expect(sturgesEdges(range(16))).toEqual([0, 3, 6, 9, 12, 15]);
    expect(histogram([0, 1.8, 1.79, 9, 5.4], [0, 1.8, 3.6, 5.4, 7.2, 9])).toEqual([2, 1, 0, 1, 1]);
    // 20 distinct values: compared value by value.
    expect(binnedShares(range(20), [0], "numerical").reference).toHaveLength(20);
    // 21: Sturges bins over both samples (42 values → 7 bins).
    expect(binnedShares(range(21), range(21), "numerical").reference).toHaveLength(7);
    // Categorical features are never range-binned.
    expect(binnedShares(range(21), [0], "categorical").reference).toHaveLength(21);
  });

  it("fills empty bins for PSI (min share / 1e6, or 0.0001)", () => {
    expect(binnedShares(["a", "a"], ["b"], "categorical", true)).toEqual({
      reference: [1, 0.0001],
      current: [0.0001, 1],
    });
  });

  const identical: [string, (r: number[], c: number[]) => number][] = [
    ["jensenshannon", (r, c) => jensenShannonDistance(r, c, "numerical")],
    ["psi", (r, c) => populationStabilityIndex(r, c, "numerical")],
    ["wasserstein", (r, c) => normedWassersteinDistance(r, c)],
  ];
  it.each(identical)("%s of identical samples is 0", (_, distance) => {
    expect(distance(range(50), range(50))).toBe(0);
  });

  it("Jensen–Shannon of disjoint samples is √ln 2, its maximum", () => {
    expect(jensenShannonDistance(["a"], ["b"], "categorical")).toBeCloseTo(Math.sqrt(Math.LN2), 12);
  });
});

describe("runDriftMethod", () => {
  it("returns the p-value as score for tests and the distance for distances", () => {
    const ks = runDriftMethod("ks", [1, 2, 3], [4, 5, 6], "numerical");
    expect(ks).toEqual({ score: ks.pValue, statistic: 1, pValue: ks.pValue });
    const psi = runDriftMethod("psi", ["a", "a", "b"], ["a", "b", "b"], "categorical");
    expect(psi).toEqual({ score: psi.statistic, statistic: psi.statistic, pValue: null });
    expect(psi.score).toBeCloseTo((2 / 3) * Math.LN2, 12);
  });
});
