// k-means with k-means++ from a seeded generator: hand-checked small cases, reproducibility,
// and degenerate input.
import { describe, expect, it } from "vitest";
import { fitKMeans } from "./kmeans";
import { seededRandom } from "./seeded-random";

const sorted = (centroids: number[][]) =>
  [...centroids].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);

describe("seededRandom", () => {
  it("gives the same sequence for the same seed (mulberry32)", () => {
    const random = seededRandom(42);
    expect([random(), random(), random()]).toEqual([
      0.6011037519201636, 0.44829055899754167, 0.8524657934904099,
    ]);
    const other = seededRandom(43);
    expect(other()).not.toBe(0.6011037519201636);
  });
});

describe("fitKMeans", () => {
  const cases: [string, number[][], number, number[][], number][] = [
    // Two pairs on a line: means 0.5 and 10.5, each point 0.5 away, inertia 4 × 0.25.
    ["two pairs on a line", [[0], [1], [10], [11]], 2, [[0.5], [10.5]], 1],
    // Three unit squares: centroids at their centres, each point 0.5² + 0.5² away.
    [
      "three unit squares",
      [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
        [10, 10],
        [10, 11],
        [11, 10],
        [11, 11],
        [0, 10],
        [1, 10],
        [0, 11],
        [1, 11],
      ],
      3,
      [
        [0.5, 0.5],
        [0.5, 10.5],
        [10.5, 10.5],
      ],
      6,
    ],
    [
      "k = 1 is the mean",
      [
        [1, 2],
        [3, 4],
        [5, 9],
      ],
      1,
      [[3, 5]],
      13 + 1 + 20, // (4 + 9) + (0 + 1) + (4 + 16)
    ],
    ["fewer distinct points than k", [[1], [1], [1]], 2, [[1], [1]], 0],
  ];

  it.each(cases)("%s", (_name, points, k, centroids, inertia) => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const fit = fitKMeans(points, { k, seed });
      expect(sorted(fit.centroids)).toEqual(centroids);
      expect(fit.inertia).toBeCloseTo(inertia, 10);
    }
  });

  it("assigns every point to its nearest centroid", () => {
    const fit = fitKMeans([[0], [1], [10], [11]], { k: 2, seed: 7 });
    const near = fit.centroids.findIndex((c) => c[0] === 0.5);
    expect(Array.from(fit.assignments)).toEqual([near, near, 1 - near, 1 - near]);
  });

  it("is reproducible: same points, k and seed give the same fit", () => {
    const random = seededRandom(9);
    const points = Array.from({ length: 500 }, () => [random(), random() * 3, random() ** 2]);
    const a = fitKMeans(points, { k: 6, seed: 11, restarts: 3 });
    const b = fitKMeans(points, { k: 6, seed: 11, restarts: 3 });
    expect(b).toEqual(a);
    expect(JSON.stringify(b.centroids)).toBe(JSON.stringify(a.centroids));
  });

  it("keeps the start of least inertia among restarts", () => {
    const random = seededRandom(3);
    const points = Array.from({ length: 300 }, () => [random() * 10, random() * 10]);
    for (const seed of [1, 2, 3]) {
      const single = fitKMeans(points, { k: 8, seed, restarts: 1 });
      const several = fitKMeans(points, { k: 8, seed, restarts: 5 });
      expect(several.inertia).toBeLessThanOrEqual(single.inertia);
    }
  });

  it("stops after maxIterations", () => {
    const random = seededRandom(5);
    const points = Array.from({ length: 200 }, () => [random(), random()]);
    expect(fitKMeans(points, { k: 5, seed: 1, maxIterations: 1 }).iterations).toBe(1);
  });
});
