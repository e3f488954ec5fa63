/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, as `scipy.stats.ks_2samp(a, b)` with its default
 * `method="auto"`: the exact p-value when both samples have at most 10,000 values (Hodges'
 * lattice-path counting), the asymptotic one (`kstwo.sf(d, round(n·m/(n+m)))`) otherwise or when
 * the exact computation fails numerically.
 *
 * @example
 * ```ts
 * const { statistic, pValue, pValueMethod } = ksTwoSample([1, 2, 3, 4], [3, 4, 5, 6, 7]);
 * // statistic 0.6, pValue ≈ 0.2857, pValueMethod "exact"
 * ```
 */
import { kolmogorovSf } from "./kolmogorov-distribution";
import { roundHalfEven } from "./special-functions";

/** SciPy's `MAX_AUTO_N`: larger samples get the asymptotic p-value. */
export const KS_EXACT_MAX_SIZE = 10_000;

/** Result of {@link ksTwoSample}. */
export type KsTestResult = {
  /** Largest distance between the two empirical CDFs. */
  statistic: number;
  pValue: number;
  /** How the p-value was computed (SciPy's choice, including its fallback). */
  pValueMethod: "exact" | "asymptotic";
};

/** Runs the test on two non-empty samples of finite numbers. */
export function ksTwoSample(a: readonly number[], b: readonly number[]): KsTestResult {
  if (a.length === 0 || b.length === 0) {
    throw new RangeError("ksTwoSample needs two non-empty samples.");
  }
  const n1 = a.length;
  const n2 = b.length;
  const d = ksStatistic(a, b);
  const g = gcd(n1, n2);
  if (Math.max(n1, n2) <= KS_EXACT_MAX_SIZE) {
    // SciPy reports the statistic rounded to the lattice of possible values, h / lcm(n1, n2).
    const exact = exactPValue(n1, n2, g, d);
    if (exact.ok) return { statistic: exact.d, pValue: exact.pValue, pValueMethod: "exact" };
    return asymptotic(n1, n2, exact.d);
  }
  return asymptotic(n1, n2, d);
}

function asymptotic(n1: number, n2: number, d: number): KsTestResult {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  const pValue = Math.min(1, Math.max(0, kolmogorovSf(roundHalfEven(en), d)));
  return { statistic: d, pValue, pValueMethod: "asymptotic" };
}

/** max |F_a(x) - F_b(x)| over the pooled values, with ties handled as `searchsorted(right)`. */
function ksStatistic(a: readonly number[], b: readonly number[]): number {
  const sa = Float64Array.from(a).sort();
  const sb = Float64Array.from(b).sort();
  const n1 = sa.length;
  const n2 = sb.length;
  let i = 0;
  let j = 0;
  let maxDiff = 0;
  let minDiff = 0;
  while (i < n1 || j < n2) {
    // Next distinct pooled value; count everything ≤ it in both samples.
    const x = Math.min(
      i < n1 ? (sa[i] as number) : Infinity,
      j < n2 ? (sb[j] as number) : Infinity,
    );
    while (i < n1 && (sa[i] as number) <= x) i++;
    while (j < n2 && (sb[j] as number) <= x) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
  }
  return Math.max(maxDiff, Math.min(1, -minDiff));
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

type ExactAttempt = { ok: boolean; d: number; pValue: number };

/** SciPy's `_attempt_exact_2kssamp` for the two-sided alternative. */
function exactPValue(n1: number, n2: number, g: number, d: number): ExactAttempt {
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const rounded = h / lcm;
  if (h === 0) return { ok: true, d: rounded, pValue: 1 };
  const prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbabilityInsideMethod(n1, n2, g, h);
  return { ok: prob >= 0 && prob <= 1, d: rounded, pValue: prob };
}

/** Proportion of lattice paths that pass outside the lines x - y = ±h (equal sample sizes). */
function probOutsideSquare(n: number, h: number): number {
  // P = 2 A0 (1 - A1 (1 - A2 (1 - ...))), each Aᵢ a ratio of binomials, Horner-like.
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * Proportion of lattice paths from (0, 0) to (m, n) that leave |x/m - y/n| < h/lcm(m, n),
 * by Hodges' inside method with Viehmann's recursion for 1 - p (SciPy's
 * `_compute_outer_prob_inside_method`).
 */
function outerProbabilityInsideMethod(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = Math.floor(m / g);
  const ng = Math.floor(n / g);
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = ((A[jj + minj - lastminj] as number) * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1] as number;
}
