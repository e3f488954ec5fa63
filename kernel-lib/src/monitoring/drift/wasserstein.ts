/**
 * First Wasserstein (earth mover's) distance between two samples, `scipy.stats.wasserstein_distance`,
 * and Evidently's normed variant: the distance divided by the reference's population standard
 * deviation (at least 0.001, so that a constant reference does not divide by zero).
 *
 * @example
 * ```ts
 * wassersteinDistance([0, 1, 3], [5, 6, 8]); // 5
 * normedWassersteinDistance([0, 1, 3], [5, 6, 8]); // 5 / std([0, 1, 3]) ≈ 4.0089
 * ```
 */

/** Evidently's floor on the reference standard deviation. */
export const WASSERSTEIN_MIN_NORM = 0.001;

/** ∫ |U(x) - V(x)| dx over the empirical CDFs U and V of two non-empty samples. */
export function wassersteinDistance(u: readonly number[], v: readonly number[]): number {
  if (u.length === 0 || v.length === 0) {
    throw new RangeError("wassersteinDistance needs two non-empty samples.");
  }
  const su = Float64Array.from(u).sort();
  const sv = Float64Array.from(v).sort();
  const all = new Float64Array(su.length + sv.length);
  all.set(su);
  all.set(sv, su.length);
  all.sort();
  let distance = 0;
  let i = 0;
  let j = 0;
  for (let k = 0; k < all.length - 1; k++) {
    const x = all[k] as number;
    // searchsorted(..., "right"): how many values are ≤ x.
    while (i < su.length && (su[i] as number) <= x) i++;
    while (j < sv.length && (sv[j] as number) <= x) j++;
    distance += Math.abs(i / su.length - j / sv.length) * ((all[k + 1] as number) - x);
  }
  return distance;
}

/** Population standard deviation (numpy's `np.std`, ddof 0). */
export function populationStd(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  const mean = sum / values.length;
  let squares = 0;
  for (const value of values) squares += (value - mean) ** 2;
  return Math.sqrt(squares / values.length);
}

/** Evidently's `wasserstein` score: the distance in units of the reference's standard deviation. */
export function normedWassersteinDistance(
  reference: readonly number[],
  current: readonly number[],
): number {
  const norm = Math.max(populationStd(reference), WASSERSTEIN_MIN_NORM);
  return wassersteinDistance(reference, current) / norm;
}
