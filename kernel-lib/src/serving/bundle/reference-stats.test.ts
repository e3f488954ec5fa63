import { describe, expect, it } from "vitest";
import { computeReferenceStats, featureStats } from "./reference-stats";
import { defineInputSchema } from "./schema";

describe("featureStats", () => {
  it("computes moments, quantiles (numpy linear) and a 10-bin histogram", () => {
    const values = Array.from({ length: 11 }, (_, i) => i); // 0..10
    const stats = featureStats(values, 2);
    expect(stats).toMatchObject({ count: 11, missing: 2, mean: 5, min: 0, max: 10 });
    expect(stats.std).toBeCloseTo(Math.sqrt(10), 12);
    expect(stats.quantiles).toEqual({
      "0.01": 0.1,
      "0.05": 0.5,
      "0.25": 2.5,
      "0.5": 5,
      "0.75": 7.5,
      "0.95": 9.5,
      "0.99": 9.9,
    });
    expect(stats.histogram.edges).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // The last bin includes max.
    expect(stats.histogram.counts).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
  });

  it("handles a constant feature and an empty one", () => {
    expect(featureStats([3, 3, 3]).histogram).toEqual({ edges: [3, 3], counts: [3] });
    expect(featureStats([3, 3, 3]).std).toBe(0);
    expect(featureStats([], 4)).toMatchObject({
      count: 0,
      missing: 4,
      mean: null,
      std: null,
      min: null,
      max: null,
    });
  });
});

describe("computeReferenceStats", () => {
  it("counts null, absent and non-finite values as missing, per schema feature", () => {
    const schema = defineInputSchema({
      features: [
        { name: "a", dtype: "float32" },
        { name: "b", dtype: "float32" },
      ],
    });
    const stats = computeReferenceStats(schema, [
      { a: 1, b: null },
      { a: 3 },
      { a: NaN, b: 2, c: 9 } as never,
    ]);
    expect(stats.rows).toBe(3);
    expect(Object.keys(stats.features)).toEqual(["a", "b"]);
    expect(stats.features["a"]).toMatchObject({ count: 2, missing: 1, mean: 2, min: 1, max: 3 });
    expect(stats.features["b"]).toMatchObject({ count: 1, missing: 2, mean: 2 });
  });
});
