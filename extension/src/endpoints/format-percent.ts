// Shares as the Endpoints section writes them: traffic by the fallback, features that drifted.

/**
 * A share from 0 to 1 as a percentage, whole unless it is below 1% (and not 0).
 *
 * @example
 * ```ts
 * formatPercent(2 / 3); // "67%"
 * formatPercent(0.004); // "0.4%"
 * formatPercent(0); // "0%"
 * ```
 */
export function formatPercent(share: number): string {
  const percent = share * 100;
  return `${percent > 0 && percent < 1 ? percent.toFixed(1) : Math.round(percent)}%`;
}
