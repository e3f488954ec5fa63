/**
 * Reading whole Arrow columns fast: an integer or float column without nulls is read as its
 * typed array in one call (a million `vector.get(row)` calls on a table of many batches cost
 * seconds); other columns (timestamps, booleans, text, nulls) through the vector's iterator, so
 * every value is what `vector.get` gives.
 *
 * @example
 * ```ts
 * const ids = columnValues(table.getChild("sensor_id")!); // BigInt64Array for an int64 column
 * ```
 */
import type { Vector } from "apache-arrow";
import { loadArrow } from "../data/lazy-modules";

/** The values of `column`, indexable by row. */
export function columnValues(column: Vector): ArrayLike<unknown> {
  const { DataType, Precision } = loadArrow();
  const typed =
    DataType.isInt(column.type) ||
    (DataType.isFloat(column.type) && column.type.precision !== Precision.HALF);
  if (typed && column.nullCount === 0) return column.toArray() as ArrayLike<unknown>;
  return Array.from(column, (value) => value as unknown);
}
