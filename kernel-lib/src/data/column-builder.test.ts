import { describe, expect, it } from "vitest";
import { buildTextColumn, type ColumnBuildContext } from "./column-builder";
import type { ColumnType } from "./column-types";
import { readCsv } from "./csv-reader";
import { MissingValueError, MixedTypesError, TypeMismatchError } from "./errors";
import { loadArrow } from "./lazy-modules";
import type { TextBatch } from "./source-batch";
import { nullFieldTest } from "./text-fields";

/** The batches of a CSV whose column `x` holds `cells` as spelled (quotes and all). */
async function batchesOf(cells: string[], batchRows: number): Promise<TextBatch[]> {
  const text = `x,pad\n${cells.map((cell) => `${cell},0`).join("\n")}\n`;
  async function* chunks() {
    yield text;
  }
  const batches: TextBatch[] = [];
  for await (const batch of readCsv(chunks(), { batchRows, source: "t.csv" })) batches.push(batch);
  return batches;
}

type Options = { required?: boolean; decided?: boolean; nullValues?: string[] };

async function build(type: ColumnType, cells: string[], options: Options = {}) {
  const nullValues = new Set(options.nullValues ?? [""]);
  const values: unknown[] = [];
  for (const batch of await batchesOf(cells, 2)) {
    const context: ColumnBuildContext = {
      column: { name: "x", type, nullable: !options.required },
      requiredBecause: options.required ? "key column" : undefined,
      decidedBy: options.decided ? 1000 : undefined,
      textual: true,
      nullValues,
      source: "t.csv",
      firstRow: batch.firstRow,
      lines: batch.lines,
    };
    const data = buildTextColumn(batch.fields, 0, nullFieldTest(nullValues), context);
    const vector = loadArrow().makeVector(data);
    for (let row = 0; row < batch.length; row++) values.push(vector.get(row));
  }
  return values;
}

describe("buildTextColumn", () => {
  const cases: { type: ColumnType; cells: string[]; values: unknown[]; options?: Options }[] = [
    {
      type: "float64",
      cells: ["-1.5e3", "2.25", "", '"3.5"', "-0.001", "1E-2", "+4", "12345678901234567"],
      values: [-1500, 2.25, null, 3.5, -0.001, 0.01, 4, 12345678901234568],
    },
    { type: "float32", cells: ["0.1", "-2"], values: [Math.fround(0.1), -2] },
    {
      type: "int64",
      cells: ["9223372036854775807", "-42", "", "0"],
      values: [9223372036854775807n, -42n, null, 0n],
    },
    { type: "int32", cells: ["-2147483648", "7"], values: [-2147483648, 7] },
    {
      type: "timestamp",
      cells: ["2026-11-01T08:00:00.250Z", "2026-11-01 08:00", "2024-02-29", "1793520000000", ""],
      values: [
        Date.UTC(2026, 10, 1, 8, 0, 0, 250),
        Date.UTC(2026, 10, 1, 8),
        Date.UTC(2024, 1, 29),
        1793520000000,
        null,
      ],
    },
    {
      type: "timestamp",
      cells: ["2026-11-01T08:00:00+02:00"],
      values: [Date.UTC(2026, 10, 1, 6)],
    },
    {
      type: "bool",
      cells: ["true", "FALSE", "1", "0", ""],
      values: [true, false, true, false, null],
    },
    {
      type: "string",
      cells: ['"say ""hi"""', "plain", "", '"a,\nb"', '"NA"'],
      values: ['say "hi"', "plain", null, "a,\nb", null],
      options: { nullValues: ["", "NA"] },
    },
    {
      type: "float64",
      cells: ["NA", "1", '"1.5"', "null"],
      values: [null, 1, 1.5, null],
      options: { nullValues: ["NA", "null"] },
    },
  ];

  for (const { type, cells, values, options } of cases) {
    it(`reads ${type} ${JSON.stringify(cells)}`, async () => {
      const read = (await build(type, cells, options)).map((v) =>
        v instanceof Date ? v.getTime() : v,
      );
      expect(read).toEqual(values);
    });
  }

  const failures: {
    name: string;
    type: ColumnType;
    cells: string[];
    options?: Options;
    error: new (...args: never[]) => Error;
    row: number;
    message: RegExp;
  }[] = [
    {
      name: "NaN in a float64 column",
      type: "float64",
      cells: ["1", "2", "NaN"],
      error: TypeMismatchError,
      row: 3,
      message: /"NaN" is not a float64/,
    },
    {
      name: "text after its type was inferred",
      type: "float64",
      cells: ["1", "n/a"],
      options: { decided: true },
      error: MixedTypesError,
      row: 2,
      message: /decided by its first 1000 values\), but this one is "n\/a"/,
    },
    {
      name: "a decimal in an int64 column",
      type: "int64",
      cells: ["1", "2", "3", "4.5"],
      error: TypeMismatchError,
      row: 4,
      message: /"4.5" is not a int64/,
    },
    {
      name: "an integer beyond int32",
      type: "int32",
      cells: ["2147483648"],
      error: TypeMismatchError,
      row: 1,
      message: /is not a int32/,
    },
    {
      name: "a date spelled another way",
      type: "timestamp",
      cells: ["2026-11-01", "01/11/2026"],
      error: TypeMismatchError,
      row: 2,
      message: /"01\/11\/2026" is not a timestamp/,
    },
    {
      name: "an escaped quote in a number",
      type: "float64",
      cells: ['"1""5"'],
      error: TypeMismatchError,
      row: 1,
      message: /"1\\"5" is not a float64/,
    },
    {
      name: "an empty key",
      type: "string",
      cells: ["a", "b", ""],
      options: { required: true },
      error: MissingValueError,
      row: 3,
      message: /the value is missing, but the column needs one \(key column\)/,
    },
  ];

  for (const { name, type, cells, options, error, row, message } of failures) {
    it(`rejects ${name}, naming the row, line and column`, async () => {
      const thrown = await build(type, cells, options).catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(error);
      expect(thrown).toMatchObject({ row, line: row + 1, column: "x" });
      expect((thrown as Error).message).toMatch(message);
    });
  }
});
