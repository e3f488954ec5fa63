// The optional micro-batching limits of a promotion, read from the promote dialog's two fields
// and checked with the server's ranges (server/src/serving/endpoint-manager.ts).

import type { BatchingLimits } from "../api/endpoints-api";

/** What the two fields say: no limits (keep the endpoint's), limits, or what is wrong. */
export type BatchingFields =
  { ok: true; batching: BatchingLimits | undefined } | { ok: false; problem: string };

/**
 * Reads "max batch size" and "max wait (ms)" as typed; both empty keeps the endpoint's limits.
 *
 * @example
 * ```ts
 * readBatchingFields("64", "5"); // { ok: true, batching: { maxBatchSize: 64, maxWaitMs: 5 } }
 * readBatchingFields("", "");    // { ok: true, batching: undefined }
 * readBatchingFields("0", "2");  // { ok: false, problem: "Max batch size must be …" }
 * ```
 */
export function readBatchingFields(maxBatchSize: string, maxWaitMs: string): BatchingFields {
  const size = maxBatchSize.trim();
  const wait = maxWaitMs.trim();
  if (size === "" && wait === "") return { ok: true, batching: undefined };
  if (size === "" || wait === "") {
    return {
      ok: false,
      problem:
        "Give both batching limits, or leave both empty to keep the endpoint's (256 rows, 2 ms by default).",
    };
  }
  const rows = Number(size);
  if (!Number.isInteger(rows) || rows < 1 || rows > 65_536) {
    return {
      ok: false,
      problem: `Max batch size must be a whole number from 1 to 65536 (1 turns batching off), not "${size}".`,
    };
  }
  const ms = Number(wait);
  if (!Number.isFinite(ms) || ms < 0 || ms > 1_000) {
    return {
      ok: false,
      problem: `Max wait must be a number of milliseconds from 0 to 1000, not "${wait}".`,
    };
  }
  return { ok: true, batching: { maxBatchSize: rows, maxWaitMs: ms } };
}
