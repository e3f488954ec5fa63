// Request and fallback rates of an endpoint, from the row counts of two endpoint lists: the
// server counts, the extension divides.

import type { EndpointUsage } from "../api/endpoints-api";

/** An endpoint's counts and when they were read (ms since the epoch). */
export type UsageSample = { usage: EndpointUsage; readAt: number };

/** What the endpoints view shows about traffic. */
export type UsageRates = {
  /** Rows per minute between the two samples; null from one sample, or after a server restart. */
  perMinute: number | null;
  /**
   * Share of rows the fallback model answered (0 to 1): between the samples when rows came in
   * meanwhile, else since the server started; null when there were no rows at all.
   */
  fallbackShare: number | null;
};

/**
 * The rates between an earlier sample (if any) and the current one.
 *
 * @example
 * ```ts
 * const since = "2025-01-01T00:00:00Z";
 * usageRates(
 *   { usage: { predictions: 100, fallbackPredictions: 0, since }, readAt: 0 },
 *   { usage: { predictions: 160, fallbackPredictions: 6, since }, readAt: 30_000 },
 * ); // { perMinute: 120, fallbackShare: 0.1 }
 * ```
 */
export function usageRates(earlier: UsageSample | undefined, current: UsageSample): UsageRates {
  const now = current.usage;
  const total = now.predictions > 0 ? now.fallbackPredictions / now.predictions : null;
  // Counts start again from zero when the server restarts: a difference would mean nothing.
  if (!earlier || earlier.usage.since !== now.since || current.readAt <= earlier.readAt) {
    return { perMinute: null, fallbackShare: total };
  }
  const rows = now.predictions - earlier.usage.predictions;
  const fallbackRows = now.fallbackPredictions - earlier.usage.fallbackPredictions;
  const minutes = (current.readAt - earlier.readAt) / 60_000;
  return {
    perMinute: rows / minutes,
    fallbackShare: rows > 0 ? fallbackRows / rows : total,
  };
}
