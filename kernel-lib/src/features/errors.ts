/**
 * Errors of the feature store. They are `DataError`s (see ../data/errors.ts): each says what
 * went wrong and, in `fix`, what to do next.
 *
 * @example
 * ```ts
 * try {
 *   await kiln.data.getTrainingSet(entities, { table: "sensors", features: ["temp"] });
 * } catch (error) {
 *   if (error instanceof kiln.FeatureOptionsError) console.log(error.fix);
 * }
 * ```
 */
import { DataError } from "../data/errors";

/** Options that do not fit the feature table or the entity rows (a missing key, a bad TTL, …). */
export class FeatureOptionsError extends DataError {
  override name = "FeatureOptionsError";
}

/** An entity row the join cannot place: no key value, or a timestamp that is not a time. */
export class EntityRowError extends DataError {
  override name = "EntityRowError";
  /** 0-based index of the entity row. */
  readonly row: number;
  readonly column: string;

  constructor(problem: string, init: { row: number; column: string; fix: string }) {
    super(`Entity row ${init.row}, column "${init.column}": ${problem}.`, init.fix);
    this.row = init.row;
    this.column = init.column;
  }
}
