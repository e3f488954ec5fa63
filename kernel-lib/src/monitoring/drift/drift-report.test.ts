import { describe, expect, it } from "vitest";
import type { ReferenceStats } from "../../serving/bundle/reference-stats";
import { referenceFromBundle } from "./bundle-reference";
import { detectDrift, rowsToColumns, type DriftOptions, type FeatureColumns } from "./drift-report";
import { DriftInputError, DriftOptionsError } from "./errors";

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i + 0.5);
const same = range(100);
const shifted = range(100, 80);

describe("detectDrift", () => {
  // share of drifted features vs driftShare: Evidently's rule is share >= drift_share.
  const shares: [string, FeatureColumns, number, number, boolean][] = [
    ["1 of 2 drifted, share 0.5", { a: shifted, b: same }, 0.5, 0.5, true],
    ["1 of 3 drifted", { a: shifted, b: same, c: same }, 0.5, 1 / 3, false],
    ["1 of 3 drifted, driftShare 0.3", { a: shifted, b: same, c: same }, 0.3, 1 / 3, true],
    ["none drifted, driftShare 0", { a: same }, 0, 0, true],
    ["all drifted, driftShare 1", { a: shifted, b: shifted }, 1, 1, true],
  ];
  it.each(shares)("%s", (_, current, driftShare, share, datasetDrift) => {
    const reference = Object.fromEntries(Object.keys(current).map((name) => [name, same]));
    const report = detectDrift(reference, current, { driftShare });
    expect(report).toMatchObject({ share, driftShare, datasetDrift });
    expect(report.featureCount).toBe(Object.keys(current).length);
  });

  it("defaults to driftShare 0.5 and keeps the reference's feature order", () => {
    const report = detectDrift({ b: same, a: same }, { a: same, b: same, extra: [1] });
    expect(report.driftShare).toBe(0.5);
    expect(Object.keys(report.features)).toEqual(["b", "a"]);
  });

  // Evidently's precedence: the feature's own setting, then its kind's, then the one for all.
  const precedence: [string, DriftOptions, { method: string; threshold: number }][] = [
    ["defaults", {}, { method: "ks", threshold: 0.05 }],
    ["all features", { method: "psi", threshold: 0.3 }, { method: "psi", threshold: 0.3 }],
    [
      "threshold only: applies to the chosen method",
      { threshold: 0.01 },
      { method: "ks", threshold: 0.01 },
    ],
    [
      "kind over all",
      { method: "psi", numerical: { method: "wasserstein" } },
      { method: "wasserstein", threshold: 0.1 },
    ],
    [
      "other kind ignored",
      { categorical: { method: "chisquare", threshold: 0.5 } },
      { method: "ks", threshold: 0.05 },
    ],
    [
      "feature over kind",
      {
        numerical: { method: "wasserstein", threshold: 0.2 },
        features: { x: { method: "jensenshannon" } },
      },
      { method: "jensenshannon", threshold: 0.2 },
    ],
  ];
  it.each(precedence)("options: %s", (_, options, expected) => {
    const report = detectDrift({ x: same }, { x: same }, options);
    expect(report.features["x"]).toMatchObject(expected);
  });

  it("applies the options of a declared kind", () => {
    const report = detectDrift(
      { code: [1, 2, 3, 1, 2, 3, 11, 12, 13, 14, 15, 16] },
      { code: [1, 2] },
      {
        numerical: { method: "psi" },
        features: { code: { kind: "numerical" } },
      },
    );
    expect(report.features["code"]).toMatchObject({
      kind: "numerical",
      kindSource: "declared",
      method: "psi",
    });
  });

  const errors: [
    string,
    FeatureColumns,
    FeatureColumns,
    DriftOptions,
    typeof DriftInputError | typeof DriftOptionsError,
    RegExp,
  ][] = [
    ["a reference without features", {}, {}, {}, DriftInputError, /The reference has no features/],
    [
      "a window without a feature's column",
      { a: same, b: same },
      { a: same },
      {},
      DriftInputError,
      /no column for feature "b"/,
    ],
    [
      "an empty window",
      { a: same },
      { a: [] },
      {},
      DriftInputError,
      /Feature "a": the current window is empty/,
    ],
    [
      "options for an unknown feature",
      { a: same },
      { a: same },
      { features: { b: {} } },
      DriftOptionsError,
      /Options name feature "b", which the reference does not have \(features: a\)/,
    ],
    [
      "a driftShare above 1",
      { a: same },
      { a: same },
      { driftShare: 50 },
      DriftOptionsError,
      /driftShare 50 is not a share between 0 and 1/,
    ],
  ];
  it.each(errors)("throws on %s", (_, reference, current, options, type, message) => {
    const call = () => detectDrift(reference, current, options);
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});

describe("rowsToColumns", () => {
  it("makes one column per feature, absent keys missing", () => {
    expect(rowsToColumns([{ a: 1, b: "x" }, { a: 2 }], ["a", "b"])).toEqual({
      a: [1, 2],
      b: ["x", undefined],
    });
  });
});

describe("referenceFromBundle", () => {
  const stats = (sample?: number[]): ReferenceStats => ({
    format: "kiln.reference-stats/v1",
    rows: 2,
    features: {
      t: {
        count: 2,
        missing: 0,
        mean: 1.5,
        std: 0.5,
        min: 1,
        max: 2,
        quantiles: {},
        histogram: { edges: [1, 2], counts: [2] },
        ...(sample ? { sample } : {}),
      },
    },
  });

  it("returns the sample of every feature", () => {
    expect(referenceFromBundle(stats([1, 2]))).toEqual({ t: [1, 2] });
  });

  const errors: [string, ReferenceStats | undefined, RegExp][] = [
    [
      "an old reference.json without samples",
      stats(),
      /This bundle has no reference sample .*feature "t"\); re-log the model with kiln\.log\.model\(\.\.\., \{ reference \}\)/,
    ],
    [
      "a bundle without reference.json",
      undefined,
      /This bundle has no reference data .*re-log the model with kiln\.log\.model\(\.\.\., \{ reference \}\)/,
    ],
  ];
  it.each(errors)("throws DriftInputError for %s", (_, reference, message) => {
    expect(() => referenceFromBundle(reference)).toThrow(DriftInputError);
    expect(() => referenceFromBundle(reference)).toThrow(message);
  });
});
