import { describe, expect, it } from "vitest";
import {
  REFERENCE_SAMPLE_SIZE,
  computeReferenceStats,
  featureStats,
  referenceSample,
  type ReferenceStats,
} from "./reference-stats";
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

describe("reference samples", () => {
  const schema = defineInputSchema({
    features: [
      { name: "a", dtype: "float32" },
      { name: "b", dtype: "float32" },
    ],
  });

  it("keeps every finite value in row order when there are few", () => {
    const stats = computeReferenceStats(schema, [
      { a: 3, b: null },
      { a: 1, b: 2 },
      { a: NaN, b: 5 },
    ]);
    expect(stats.features["a"]?.sample).toEqual([3, 1]);
    expect(stats.features["b"]?.sample).toEqual([2, 5]);
  });

  it("samples at most REFERENCE_SAMPLE_SIZE values, the same ones every time", () => {
    const rows = Array.from({ length: 12_000 }, (_, i) => ({ a: i, b: -i }));
    const first = computeReferenceStats(schema, rows);
    const second = computeReferenceStats(schema, rows);
    const a = first.features["a"]?.sample ?? [];
    expect(a).toHaveLength(REFERENCE_SAMPLE_SIZE);
    expect(second.features["a"]?.sample).toEqual(a);
    // In row order, without repeats, spread over all rows.
    expect(a.every((v, i) => i === 0 || v > (a[i - 1] as number))).toBe(true);
    expect(a[0]).toBeLessThan(100);
    expect(a.at(-1)).toBeGreaterThan(11_900);
    // Features without missing values get the same rows.
    expect(first.features["b"]?.sample).toEqual(a.map((v) => -v));
    // Statistics still cover every row, not the sample.
    expect(first.features["a"]).toMatchObject({ count: 12_000, max: 11_999 });
  });

  const sizes: [string, number, { size?: number; seed?: number }, number][] = [
    ["fewer values than the size", 10, { size: 20 }, 10],
    ["as many values as the size", 20, { size: 20 }, 20],
    ["more values than the size", 21, { size: 20 }, 20],
    ["size 0", 5, { size: 0 }, 0],
  ];
  it.each(sizes)("referenceSample: %s", (_, count, options, length) => {
    const values = Array.from({ length: count }, (_, i) => i * 1.5);
    const sample = referenceSample(values, options);
    expect(sample).toHaveLength(length);
    expect(sample.every((v) => values.includes(v))).toBe(true);
  });

  it("depends on the seed", () => {
    const values = Array.from({ length: 100 }, (_, i) => i);
    expect(referenceSample(values, { size: 10, seed: 1 })).not.toEqual(
      referenceSample(values, { size: 10, seed: 2 }),
    );
    expect(() => referenceSample(values, { size: -1 })).toThrow(/whole number >= 0, got -1/);
  });

  it("reads a reference.json written before samples existed", () => {
    const old = JSON.parse(
      JSON.stringify({
        format: "kiln.reference-stats/v1",
        rows: 1,
        features: { a: { ...featureStats([1]) } },
      }),
    ) as ReferenceStats;
    expect(old.features["a"]?.sample).toBeUndefined();
    expect(old.features["a"]?.mean).toBe(1);
  });
});
