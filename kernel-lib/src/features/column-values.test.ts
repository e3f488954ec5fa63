import {
  Bool,
  Float32,
  Float64,
  Int32,
  Int64,
  TimestampMillisecond,
  Utf8,
  makeVector,
  vectorFromArray,
  type DataType,
} from "apache-arrow";
import { describe, expect, it } from "vitest";
import { columnValues } from "./column-values";

// Every column reads as what `vector.get(row)` gives, whether it goes the typed-array way or not.
const cases: [string, unknown[], DataType][] = [
  ["int64", [1n, 2n, 3n], new Int64()],
  ["int32", [1, 2, 3], new Int32()],
  ["float64", [0.5, 1.5, 2.5], new Float64()],
  ["float32", [0.5, 1.5, 2.5], new Float32()],
  ["float64 with nulls", [0.5, null, 2.5], new Float64()],
  ["timestamp", [1000, 2000, 3000], new TimestampMillisecond("UTC")],
  ["bool", [true, false, true], new Bool()],
  ["string", ["a", null, "c"], new Utf8()],
];

describe("columnValues", () => {
  for (const [name, values, type] of cases) {
    it(`reads a ${name} column as vector.get does`, () => {
      const single = vectorFromArray(values, type);
      // Two batches, as a table read from LanceDB has many.
      const chunked = makeVector([single.data[0]!, single.data[0]!]);
      for (const column of [single, chunked]) {
        const read = columnValues(column);
        expect(read.length).toBe(column.length);
        expect(Array.from(read)).toEqual(
          Array.from({ length: column.length }, (_, r) => column.get(r)),
        );
      }
    });
  }
});
