/**
 * Errors of moving values between steps. Both name the step and the variable, say what was
 * found, and say what to do.
 *
 * @example
 * ```ts
 * try { await marshalValue(value, dir, { step: "prepare", name: "data" }); }
 * catch (err) { if (err instanceof UnmarshallableValueError) console.error(err.path, err.valueType); }
 * ```
 */

/** Generic advice appended to every {@link UnmarshallableValueError}. */
export const MARSHAL_FIX =
  "Convert it to JSON, a tensor or an Arrow table, or move it to a shared cell (cells before the first step run in every step).";

/** A step output holds a value that cannot cross a step boundary. */
export class UnmarshallableValueError extends Error {
  override readonly name = "UnmarshallableValueError";
  /** The producing step. */
  readonly step: string;
  /** The output (variable) name. */
  readonly variable: string;
  /** Where inside the value, e.g. `data.rows[3].parse`. */
  readonly path: string;
  /** What was found, e.g. `a function`, `an instance of class Scaler (methods: fit, apply)`. */
  readonly valueType: string;

  constructor(init: {
    step: string;
    variable: string;
    path: string;
    valueType: string;
    hint?: string;
  }) {
    const where = init.path === init.variable ? "it" : init.path;
    super(
      `Step "${init.step}" cannot pass "${init.variable}" to the steps that use it: ${where} is ${init.valueType}. ` +
        (init.hint ? `${init.hint} ` : "") +
        MARSHAL_FIX,
    );
    this.step = init.step;
    this.variable = init.variable;
    this.path = init.path;
    this.valueType = init.valueType;
  }
}

/** A stored value could not be read back (missing file, unknown format, corrupt data). */
export class MarshalledValueError extends Error {
  override readonly name = "MarshalledValueError";
  constructor(
    readonly variable: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Cannot load the input "${variable}": ${problem}. Re-run the step that produces it with force: true.`,
      options,
    );
  }
}
