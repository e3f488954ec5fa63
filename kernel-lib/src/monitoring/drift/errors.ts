/**
 * Errors of drift detection: one base class, so a caller can catch "anything wrong with a drift
 * computation" in one clause, and one subclass per cause.
 *
 * @example
 * ```ts
 * try {
 *   detectDrift(reference, window);
 * } catch (err) {
 *   if (err instanceof DriftInputError) return c.json({ error: err.message, feature: err.feature }, 400);
 *   throw err;
 * }
 * ```
 */
export class DriftError extends Error {
  override name = "DriftError";
}

/** The data cannot be compared: an empty sample, a missing feature, wrong value types, no reference sample. */
export class DriftInputError extends DriftError {
  override name = "DriftInputError";
  constructor(
    message: string,
    /** The feature at fault, when there is one. */
    readonly feature?: string,
  ) {
    super(message);
  }
}

/** The options are unusable: unknown method, a method that does not fit the feature's kind, a bad threshold. */
export class DriftOptionsError extends DriftError {
  override name = "DriftOptionsError";
}
