/**
 * K-means clustering (Lloyd's algorithm) started by k-means++ from a seeded generator, so a fit
 * is reproducible: same points, k and seed, same centroids. With `restarts` > 1 it keeps the fit
 * of least inertia (sum of squared distances to the nearest centroid). Ties go to the lower
 * centroid index; a cluster that loses all its points keeps its centroid.
 *
 * @example
 * ```ts
 * const fit = fitKMeans([[0], [1], [10], [11]], { k: 2, seed: 7 });
 * fit.centroids; // [[0.5], [10.5]] (in the order k-means++ picked them)
 * ```
 */
import { seededRandom } from "./seeded-random";

/** Options of {@link fitKMeans}. */
export type KMeansOptions = {
  k: number;
  seed: number;
  /** Lloyd iterations at most, per start (default 100). */
  maxIterations?: number;
  /** Independent k-means++ starts; the fit of least inertia wins (default 1). */
  restarts?: number;
};

/** A fitted clustering. */
export type KMeansFit = {
  centroids: number[][];
  /** The nearest centroid of each point. */
  assignments: Int32Array;
  inertia: number;
  /** Lloyd iterations of the winning start. */
  iterations: number;
};

/** Clusters `points` (rows of equal length, at least k of them) into k clusters. */
export function fitKMeans(
  points: readonly (readonly number[])[],
  options: KMeansOptions,
): KMeansFit {
  const { k, maxIterations = 100, restarts = 1 } = options;
  const dims = points[0]?.length ?? 0;
  const flat = new Float64Array(points.length * dims);
  points.forEach((point, i) => flat.set(point, i * dims));
  const random = seededRandom(options.seed);
  let best: KMeansFit | undefined;
  for (let start = 0; start < Math.max(1, restarts); start++) {
    const fit = lloyd(
      flat,
      points.length,
      dims,
      kMeansPlusPlus(flat, points.length, dims, k, random),
      maxIterations,
    );
    if (!best || fit.inertia < best.inertia) best = fit;
  }
  return best!;
}

/** The squared distance from `point` (row i of a flat matrix) to centroid c. */
function squaredDistance(
  points: Float64Array,
  i: number,
  centroids: Float64Array,
  c: number,
  dims: number,
): number {
  let sum = 0;
  for (let d = 0; d < dims; d++) {
    const diff = points[i * dims + d]! - centroids[c * dims + d]!;
    sum += diff * diff;
  }
  return sum;
}

/** k-means++: the first centroid uniformly, each next one with probability ∝ squared distance. */
function kMeansPlusPlus(
  points: Float64Array,
  n: number,
  dims: number,
  k: number,
  random: () => number,
): Float64Array {
  const centroids = new Float64Array(k * dims);
  const place = (c: number, i: number) =>
    centroids.set(points.subarray(i * dims, (i + 1) * dims), c * dims);
  place(0, Math.floor(random() * n));
  const nearest = new Float64Array(n);
  for (let i = 0; i < n; i++) nearest[i] = squaredDistance(points, i, centroids, 0, dims);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += nearest[i]!;
    let chosen = Math.floor(random() * n);
    if (total > 0) {
      // Walk the cumulative sum to the drawn point; the last positive one guards rounding.
      const target = random() * total;
      let cumulative = 0;
      for (let i = 0; i < n; i++) {
        if (nearest[i]! === 0) continue;
        chosen = i;
        cumulative += nearest[i]!;
        if (cumulative > target) break;
      }
    }
    place(c, chosen);
    for (let i = 0; i < n; i++) {
      nearest[i] = Math.min(nearest[i]!, squaredDistance(points, i, centroids, c, dims));
    }
  }
  return centroids;
}

function lloyd(
  points: Float64Array,
  n: number,
  dims: number,
  centroids: Float64Array,
  maxIterations: number,
): KMeansFit {
  const k = centroids.length / dims;
  const assignments = new Int32Array(n).fill(-1);
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations++;
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const nearest = nearestCentroid(points, i, centroids, k, dims).index;
      if (nearest !== assignments[i]) {
        assignments[i] = nearest;
        changed++;
      }
    }
    if (changed === 0) break;
    const sums = new Float64Array(k * dims);
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      const c = assignments[i]!;
      counts[c]!++;
      for (let d = 0; d < dims; d++) sums[c * dims + d]! += points[i * dims + d]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue; // an empty cluster keeps its centroid
      for (let d = 0; d < dims; d++) centroids[c * dims + d] = sums[c * dims + d]! / counts[c]!;
    }
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += nearestCentroid(points, i, centroids, k, dims).squared;
  const rows = Array.from({ length: k }, (_, c) =>
    Array.from(centroids.subarray(c * dims, (c + 1) * dims)),
  );
  return { centroids: rows, assignments, inertia, iterations };
}

function nearestCentroid(
  points: Float64Array,
  i: number,
  centroids: Float64Array,
  k: number,
  dims: number,
): { index: number; squared: number } {
  let index = 0;
  let squared = Infinity;
  for (let c = 0; c < k; c++) {
    const distance = squaredDistance(points, i, centroids, c, dims);
    if (distance < squared) {
      squared = distance;
      index = c;
    }
  }
  return { index, squared };
}
