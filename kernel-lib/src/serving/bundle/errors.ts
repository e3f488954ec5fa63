/**
 * Errors of model bundles: one base class, so the server can map "anything wrong with a bundle
 * or a request to it" in one clause, and one subclass per boundary.
 *
 * @example
 * ```ts
 * try {
 *   bundle.predict(rows);
 * } catch (err) {
 *   if (err instanceof BundleInputError) return c.json({ error: err.message, field: err.field }, 400);
 *   throw err;
 * }
 * ```
 */
export class BundleError extends Error {
  override name = "BundleError";
}

/** A bundle's definition is unusable: bad input schema, fallback, transform or manifest. */
export class BundleDefinitionError extends BundleError {
  override name = "BundleDefinitionError";
}

/** A downloaded or local bundle does not match the sha256 checksums of its `bundle.json`. */
export class BundleIntegrityError extends BundleError {
  override name = "BundleIntegrityError";
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string | undefined,
    readonly dir: string,
  ) {
    super(
      `Bundle file ${file} in ${dir} ${actual === undefined ? "is missing" : `has sha256 ${actual}`}, ` +
        `expected sha256 ${expected} as listed in bundle.json. The bundle was changed or only partly ` +
        "downloaded: download it again, or log and register a new version.",
    );
  }
}

/** A row sent to `predict` does not fit the input schema (and no fallback model can serve it). */
export class BundleInputError extends BundleError {
  override name = "BundleInputError";
  constructor(
    /** Index of the row in the batch. */
    readonly row: number,
    /** The feature (or unknown key) at fault. */
    readonly field: string,
    /** What the schema expects there, e.g. `a float32 number in [0, 10]`. */
    readonly expected: string,
    /** What was sent, as text. */
    readonly received: string,
  ) {
    super(
      `Row ${row}: field "${field}" expected ${expected}, got ${received}. ` +
        "Fix the value, or send the row without it when the model has a fallback for it.",
    );
  }
}
