/**
 * Survival function of the one-sided Kolmogorov–Smirnov statistic D+ₙ, `scipy.special.smirnov`:
 * the Birnbaum–Tingey sum, whose terms are all positive, evaluated in log space (SciPy uses
 * double-double arithmetic; both agree far below the 1e-6 the drift tests need).
 *
 * @example
 * ```ts
 * smirnovSf(10, 0.3); // P(D+₁₀ ≥ 0.3) ≈ 0.1355
 * ```
 */

/** log(2**-1022): exp() of anything below underflows (Cephes `MINLOG`). */
const MINLOG = -708.3964185322641;
/** Above this n, SciPy switches to an approximation. */
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;

/** P(D+ₙ ≥ x) for a sample of size `n` (an integer ≥ 1) and 0 ≤ x ≤ 1. */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const nx = n * x;
  let nxFloor = Math.floor(nx);
  let alpha = nx - nxFloor;
  if (alpha === 1) {
    nxFloor += 1;
    alpha = 0;
  }
  if (nxFloor === 0 || (nxFloor === 1 && alpha === 0)) {
    // x ≤ 1/n
    return 1 - x * (1 + x) ** (n - 1);
  }
  if (-2 * n * x * x < MINLOG) return 0;
  if (nxFloor >= n - 1) return (1 - x) ** n;
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -((6 * n * x + 1) ** 2) / 18 / n;
    // Maximise precision for small p-values.
    return logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp);
  }
  // sf = x * Σ_{v=0}^{n - ⌊nx⌋ - 1} C(n, v) (1 - x - v/n)^(n-v) (x + v/n)^(v-1)
  const lastTerm = n - nxFloor - 1;
  const termCount = lastTerm + 1;
  const middle = Math.floor(n / 2);
  let logBinomial = 0;
  let sum = 0;
  for (let v = 0; v <= lastTerm; v++) {
    const below = (n - v) / n - x;
    const above = v / n + x;
    const term = Math.exp(logBinomial + (n - v) * Math.log(below) + (v - 1) * Math.log(above));
    if (Number.isFinite(term)) sum += term;
    // Stop once the remaining terms cannot change the sum (as SciPy does).
    if (term !== 0) {
      if (4 * (termCount - v) * term < Number.EPSILON * sum && v !== lastTerm) break;
    } else if (v > middle) {
      break;
    }
    logBinomial += Math.log((n - v) / (v + 1));
  }
  return Math.min(1, Math.max(0, x * sum));
}
