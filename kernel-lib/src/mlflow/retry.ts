/**
 * Retry policy for transient MLflow failures: exponential backoff with jitter, bounded both by a
 * number of attempts and by total elapsed time, so a dead server costs a known, small delay.
 *
 * @example
 * ```ts
 * const client = new MlflowClient({ trackingUri, retry: { attempts: 3, maxElapsedMs: 5_000 } });
 * ```
 */
export type RetryOptions = {
  /** Total tries including the first one. */
  attempts: number;
  /** Delay before the first retry; doubles after each retry. */
  baseDelayMs: number;
  /** Cap on a single delay. */
  maxDelayMs: number;
  /** No retry is started once this much time has passed since the first try. */
  maxElapsedMs: number;
};

/**
 * Defaults: 5 tries, 250 ms → 500 ms → 1 s → 2 s (±50 % jitter), at most 20 s in all.
 *
 * @example
 * ```ts
 * const policy = { ...DEFAULT_RETRY, attempts: 2 } satisfies RetryOptions;
 * ```
 */
export const DEFAULT_RETRY = {
  attempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  maxElapsedMs: 20_000,
} satisfies RetryOptions;

/**
 * Delay before retry number `retry` (1-based): half the exponential step plus a random half, so
 * many clients restarting together do not hit a recovering server in lockstep.
 *
 * @example
 * ```ts
 * backoffDelay(1, DEFAULT_RETRY); // between 125 and 250 ms
 * ```
 */
export function backoffDelay(
  retry: number,
  options: RetryOptions,
  random: () => number = Math.random,
): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

/**
 * Promise-based sleep.
 *
 * @example
 * ```ts
 * await sleep(100);
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
