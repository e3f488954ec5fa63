// fitNoveltyModel and the novelty expectation: a hand-checked one-column model, JSON round
// trips, reproducibility, option errors, and a batch with a novel cluster.
import { describe, expect, it } from "vitest";
import { defineSuite } from "./define-suite";
import { QualityOptionsError } from "./errors";
import { fitNoveltyModel, noveltyDistance, quantileOf } from "./novelty-model";
import { seededRandom } from "./seeded-random";
import type { Row } from "./suite-format";
import { check } from "./validate";

/** Rows around `centres` (temp, pressure), reproducible. */
function clusters(centres: [number, number][], perCentre: number, seed: number): Row[] {
  const random = seededRandom(seed);
  return centres.flatMap(([temp, pressure]) =>
    Array.from({ length: perCentre }, () => ({
      temp: temp + (random() - 0.5) * 2,
      pressure: pressure + (random() - 0.5) * 0.2,
    })),
  );
}

describe("quantileOf", () => {
  it.each([
    [[1, 2, 3, 4, 5], 0.5, 3],
    [[1, 2, 3, 4, 5], 1, 5],
    [[1, 2, 3, 4, 5], 0.9, 4.6],
    [[0, 10], 0.25, 2.5],
    [[7], 0.99, 7],
  ])("quantile of %o at %d is %d", (sorted, q, expected) => {
    expect(quantileOf(sorted, q)).toBeCloseTo(expected, 12);
  });
});

describe("fitNoveltyModel", () => {
  it("fits a hand-checked one-column model", () => {
    // x = 0, 1, 10, 11: mean 5.5, population std √25.25; clusters {0, 1} and {10, 11} whose
    // centres lie ±5/std from the mean; every point is 0.5/std from its centre.
    const model = fitNoveltyModel([{ x: 0 }, { x: 1 }, { x: 10 }, { x: 11 }], {
      columns: ["x"],
      k: 2,
      seed: 3,
    });
    const std = Math.sqrt(25.25);
    expect(model).toMatchObject({
      kind: "kmeans",
      columns: ["x"],
      mean: [5.5],
      quantile: 0.99,
      seed: 3,
      referenceRows: 4,
    });
    expect(model.std[0]).toBeCloseTo(std, 12);
    expect(model.centroids.map((c) => c[0]!).sort((a, b) => a - b)).toEqual([
      expect.closeTo(-5 / std, 12),
      expect.closeTo(5 / std, 12),
    ]);
    expect(model.threshold).toBeCloseTo(0.5 / std, 12);
    expect(noveltyDistance(model, [0.5])).toBeCloseTo(0, 12);
    expect(noveltyDistance(model, [5.5])).toBeCloseTo(5 / std, 12); // between the clusters
    expect(noveltyDistance(model, [12])).toBeCloseTo(1.5 / std, 12);
  });

  it("is JSON, reproducible, and skips rows missing a value", () => {
    const rows: Row[] = [
      ...clusters(
        [
          [20, 1],
          [60, 2],
        ],
        50,
        1,
      ),
      { temp: null, pressure: 1 },
    ];
    const options = { columns: ["temp", "pressure"], k: 2, seed: 42 };
    const model = fitNoveltyModel(rows, options);
    expect(fitNoveltyModel(rows, options)).toEqual(model);
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
    expect(model.referenceRows).toBe(100);
    expect(() =>
      defineSuite({ name: "s", expectations: [{ type: "novelty", model }] }),
    ).not.toThrow();
  });

  it("keeps the scale of a constant column at 1", () => {
    const model = fitNoveltyModel(
      [
        { a: 1, b: 5 },
        { a: 2, b: 5 },
        { a: 3, b: 5 },
      ],
      { columns: ["a", "b"], k: 1 },
    );
    expect(model.std[1]).toBe(1);
    expect(noveltyDistance(model, [2, 5])).toBe(0);
    expect(noveltyDistance(model, [2, 7])).toBe(2);
  });

  it.each([
    [{ columns: [], k: 1 }, "columns must be a non-empty array of column names"],
    [{ columns: ["x", "x"], k: 1 }, "columns lists a column more than once"],
    [{ columns: ["x"], k: 0 }, "k must be an integer >= 1, got 0"],
    [{ columns: ["x"], k: 1, quantile: 0 }, "quantile must be in (0, 1], got 0"],
    [{ columns: ["x"], k: 1, seed: 1.5 }, "seed must be an integer, got 1.5"],
    [
      { columns: ["nope"], k: 1 },
      'The reference data has no column "nope"; its columns are: x, s.',
    ],
    [
      { columns: ["x"], k: 5 },
      "The reference data has 3 complete rows (with a number in every one of x), fewer than k = 5 clusters.",
    ],
    [
      { columns: ["s"], k: 1 },
      'Reference row 0, column "s" holds "a", which is not a finite number.',
    ],
  ])("rejects %o", (options, message) => {
    const rows = [
      { x: 1, s: "a" },
      { x: 2, s: "b" },
      { x: 3, s: "c" },
    ];
    expect(() => fitNoveltyModel(rows, options)).toThrow(QualityOptionsError);
    expect(() => fitNoveltyModel(rows, options)).toThrow(message);
  });
});

describe("novelty expectation", () => {
  const reference = clusters(
    [
      [20, 1],
      [60, 2],
      [40, 3],
    ],
    100,
    7,
  );
  const model = fitNoveltyModel(reference, { columns: ["temp", "pressure"], k: 3, seed: 1 });
  const suite = { name: "n", expectations: [{ type: "novelty" as const, model, mostly: 0.95 }] };

  it("passes a batch like the reference", async () => {
    const result = await check(
      clusters(
        [
          [20, 1],
          [60, 2],
          [40, 3],
        ],
        30,
        99,
      ),
      suite,
    );
    expect(result.results[0]).toMatchObject({
      dimension: "consistency",
      columns: ["temp", "pressure"],
      success: true,
    });
  });

  it("fails a batch with a novel cluster, naming its rows and distances", async () => {
    const batch = [
      ...clusters(
        [
          [20, 1],
          [60, 2],
        ],
        40,
        5,
      ),
      ...clusters([[100, 5]], 10, 6),
      { temp: null, pressure: 1 },
    ];
    const result = (await check(batch, suite)).results[0]!;
    expect(result).toMatchObject({ success: false, elementCount: 90, missingCount: 1 });
    // The 10 novel rows, and at most the odd reference-like row beyond the 0.99 quantile.
    const flagged = result.unexpectedExamples.map((e) => e.index);
    expect(flagged).toEqual(expect.arrayContaining([80, 81, 82, 83, 84, 85, 86, 87, 88, 89]));
    expect(result.unexpectedCount).toBeLessThanOrEqual(12);
    expect(result.unexpectedExamples.find((e) => e.index === 80)).toEqual({
      index: 80,
      value: {
        values: { temp: batch[80]!["temp"], pressure: batch[80]!["pressure"] },
        distance: expect.any(Number),
      },
    });
    expect(result.details?.["threshold"]).toBe(model.threshold);
    expect(result.details?.["maxDistance"]).toBeGreaterThan(model.threshold);
  });
});
