/**
 * Training sets as tensor input: the feature columns of an Arrow table packed row-major into a
 * Float32Array with its shape, ready for `tf.tensor2d(values, shape)`. Nulls (no feature value
 * in time, or past the TTL) become `missing`, NaN unless given.
 *
 * @example
 * ```ts
 * const { values, shape } = toTensorInput(set.table, set.features, { missing: 0 });
 * const x = tf.tensor2d(values, shape);
 * ```
 */
import type { Table as ArrowTable } from "apache-arrow";
import { epochMillis } from "./entity-rows";
import { FeatureOptionsError } from "./errors";

/** Row-major values and their `[rows, columns]` shape. */
export type TensorInput = { values: Float32Array; shape: [number, number] };

/** Packs `columns` of `table` (numbers, bigints, booleans, timestamps) into a Float32Array. */
export function toTensorInput(
  table: ArrowTable,
  columns: readonly string[],
  options: { missing?: number } = {},
): TensorInput {
  const missing = options.missing ?? NaN;
  const rows = table.numRows;
  const values = new Float32Array(rows * columns.length);
  columns.forEach((name, at) => {
    const column = table.getChild(name);
    if (!column) {
      throw new FeatureOptionsError(
        `The table has no column "${name}"; its columns are: ${table.schema.fields.map((f) => f.name).join(", ")}.`,
        "Name one of its columns.",
      );
    }
    for (let row = 0; row < rows; row++) {
      values[row * columns.length + at] = numeric(column.get(row), name, missing);
    }
  });
  return { values, shape: [rows, columns.length] };
}

function numeric(value: unknown, column: string, missing: number): number {
  if (value === null || value === undefined) return missing;
  if (typeof value === "boolean") return value ? 1 : 0;
  const number = typeof value === "string" ? undefined : epochMillis(value);
  if (number !== undefined) return number;
  throw new FeatureOptionsError(
    `Column "${column}" holds ${JSON.stringify(value)}, which is not a number.`,
    "Encode text features as numbers (e.g. a category index) before making a tensor of them.",
  );
}
