/**
 * Builds one Arrow column from untyped values (CSV fields in their text, JSON values, records),
 * checking every value against the column's type. The first value that does not fit throws a
 * TypeMismatchError, and a missing value in a column that needs one a MissingValueError, both
 * naming the row, the line and the column.
 *
 * @example
 * ```ts
 * const data = buildColumn(["1", "", "3"], 3, { column: { name: "id", type: "int64", nullable: true }, textual: true, ... });
 * const fromCsv = buildTextColumn(batch.fields, 0, nullFieldTest(new Set([""])), context);
 * ```
 */
import type { Data } from "apache-arrow";
import type { Column, ColumnType } from "./column-types";
import { arrowTypeOf } from "./column-types";
import {
  MissingValueError,
  MixedTypesError,
  TypeMismatchError,
  type DataValidationError,
} from "./errors";
import { loadArrow } from "./lazy-modules";
import type { NullFieldTest, TextFields } from "./text-fields";
import {
  parseBooleanField,
  parseBooleanText,
  parseDecimalField,
  parseDecimalText,
  parseIntegerField,
  parseIntegerText,
  parseTimestampField,
  parseTimestampText,
} from "./text-values";

/** Where the values come from and what the column requires. */
export type ColumnBuildContext = {
  column: Column;
  /** Why the column needs a value in every row (for messages), when it does. */
  requiredBecause: string | undefined;
  /** Set for an inferred column: how many values decided its type. */
  decidedBy: number | undefined;
  textual: boolean;
  /** CSV spellings of a missing value. */
  nullValues: ReadonlySet<string>;
  source: string;
  firstRow: number;
  lines: ArrayLike<number> | undefined;
};

type Parsed = number | bigint | boolean | string;

/** The Arrow data of `values` (length `length`; `undefined` values means an absent column). */
export function buildColumn(
  values: readonly unknown[] | undefined,
  length: number,
  context: ColumnBuildContext,
): Data {
  const { column, textual, nullValues } = context;
  const parse = textual ? TEXT_PARSERS[column.type] : VALUE_PARSERS[column.type];
  const sink = newSink(column.type, length);
  const validity = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  for (let row = 0; row < length; row++) {
    const raw = values?.[row];
    const missing = raw === undefined || raw === null || (textual && nullValues.has(raw as string));
    if (missing) {
      if (context.requiredBecause !== undefined) throw missingValue(context, row);
      nullCount++;
      continue;
    }
    const value = parse(raw);
    if (value === undefined) throw mismatch(context, row, raw);
    sink.set(row, value);
    validity[row >> 3]! |= 1 << (row & 7);
  }
  const arrow = loadArrow();
  return arrow.makeData({
    type: arrowTypeOf(column.type),
    length,
    nullCount,
    ...(nullCount > 0 ? { nullBitmap: validity } : {}),
    ...sink.finish(),
  } as Parameters<typeof arrow.makeData>[0]) as Data;
}

/**
 * The Arrow data of column `column` of a batch of CSV fields, parsed where the fields lie in the
 * batch's text. Numbers (most of a feature table) take a loop of their own into a typed array.
 */
export function buildTextColumn(
  fields: TextFields,
  column: number,
  isNullField: NullFieldTest,
  context: ColumnBuildContext,
): Data {
  const { type } = context.column;
  const length = fields.length;
  const validity = new Uint8Array((length + 7) >> 3);
  let filled: { nullCount: number; buffers: ReturnType<Sink["finish"]> };
  if (type === "float64" || type === "float32") {
    const data = type === "float64" ? new Float64Array(length) : new Float32Array(length);
    filled = {
      nullCount: fillDecimals(fields, column, isNullField, context, data, validity),
      buffers: { data },
    };
  } else {
    const sink = newSink(type, length);
    const nullCount = fillValues(fields, column, isNullField, context, sink, validity);
    filled = { nullCount, buffers: sink.finish() };
  }
  const arrow = loadArrow();
  return arrow.makeData({
    type: arrowTypeOf(type),
    length,
    nullCount: filled.nullCount,
    ...(filled.nullCount > 0 ? { nullBitmap: validity } : {}),
    ...filled.buffers,
  } as Parameters<typeof arrow.makeData>[0]) as Data;
}

// Bound once: under tsx (esbuild's CommonJS output) every use of an imported function goes
// through a getter, a third of the loop below in a profile.
const decimalField = parseDecimalField;

// The loop most of a CSV ingest runs in: no call but the null test and the parse per value,
// no allocation. A negative start is a quoted field with escapes, held as a string of its own.
function fillDecimals(
  fields: TextFields,
  column: number,
  isNullField: NullFieldTest,
  context: ColumnBuildContext,
  data: Float64Array | Float32Array,
  validity: Uint8Array,
): number {
  const { starts, ends, columnCount, length } = fields;
  let nullCount = 0;
  for (let row = 0, index = column; row < length; row++, index += columnCount) {
    let text = fields.text;
    let start = starts[index]!;
    let end = ends[index]!;
    if (start < 0) {
      text = fields.escaped.get(index)!;
      start = 0;
      end = text.length;
    }
    if (isNullField(text, start, end)) {
      if (context.requiredBecause !== undefined) throw missingValue(context, row);
      nullCount++;
      continue;
    }
    const value = decimalField(text, start, end);
    if (value === undefined) throw mismatch(context, row, text.slice(start, end));
    data[row] = value;
    validity[row >> 3]! |= 1 << (row & 7);
  }
  return nullCount;
}

function fillValues(
  fields: TextFields,
  column: number,
  isNullField: NullFieldTest,
  context: ColumnBuildContext,
  sink: Sink,
  validity: Uint8Array,
): number {
  const parse = FIELD_PARSERS[context.column.type];
  const { starts, ends, columnCount, length } = fields;
  let nullCount = 0;
  for (let row = 0, index = column; row < length; row++, index += columnCount) {
    let text = fields.text;
    let start = starts[index]!;
    let end = ends[index]!;
    if (start < 0) {
      text = fields.escaped.get(index)!;
      start = 0;
      end = text.length;
    }
    if (isNullField(text, start, end)) {
      if (context.requiredBecause !== undefined) throw missingValue(context, row);
      nullCount++;
      continue;
    }
    const value = parse(text, start, end);
    if (value === undefined) throw mismatch(context, row, text.slice(start, end));
    sink.set(row, value);
    validity[row >> 3]! |= 1 << (row & 7);
  }
  return nullCount;
}

type Sink = {
  set(row: number, value: Parsed): void;
  finish(): { data: ArrayLike<number | bigint> } | { data: Uint8Array; valueOffsets: Int32Array };
};

function newSink(type: ColumnType, length: number): Sink {
  switch (type) {
    case "int64":
    case "timestamp": {
      const data = new BigInt64Array(length);
      // Safe integers are written as two 32-bit halves: a BigInt per value would cost more
      // than parsing it.
      const halves = new Int32Array(data.buffer);
      return {
        set: (row, value) => {
          if (typeof value === "bigint" || !LITTLE_ENDIAN) {
            data[row] = BigInt(value);
          } else {
            const n = value as number;
            halves[2 * row] = n % 0x1_0000_0000;
            halves[2 * row + 1] = Math.floor(n / 0x1_0000_0000);
          }
        },
        finish: () => ({ data }),
      };
    }
    case "int32":
      return typedSink(new Int32Array(length));
    case "float64":
      return typedSink(new Float64Array(length));
    case "float32":
      return typedSink(new Float32Array(length));
    case "bool": {
      const data = new Uint8Array((length + 7) >> 3);
      return {
        set: (row, value) => {
          if (value) data[row >> 3]! |= 1 << (row & 7);
        },
        finish: () => ({ data }),
      };
    }
    case "string":
      return stringSink(length);
  }
}

function typedSink(data: Int32Array | Float64Array | Float32Array): Sink {
  return { set: (row, value) => (data[row] = Number(value)), finish: () => ({ data }) };
}

function stringSink(length: number): Sink {
  const strings: string[] = new Array<string>(length).fill("");
  return {
    set: (row, value) => (strings[row] = value as string),
    finish: () => {
      const valueOffsets = new Int32Array(length + 1);
      let bytes = 0;
      for (let i = 0; i < length; i++) {
        bytes += Buffer.byteLength(strings[i]!, "utf8");
        valueOffsets[i + 1] = bytes;
      }
      const data = new Uint8Array(bytes);
      const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      for (let i = 0; i < length; i++) buffer.write(strings[i]!, valueOffsets[i]!, "utf8");
      return { data, valueOffsets };
    },
  };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const int32 = (value: number | bigint | undefined) =>
  value !== undefined && value >= INT32_MIN && value <= INT32_MAX ? Number(value) : undefined;

/** CSV text → value. Declared timestamps also take integers (epoch milliseconds). */
const TEXT_PARSERS: Record<ColumnType, (raw: unknown) => Parsed | undefined> = {
  int64: (raw) => parseIntegerText(raw as string),
  int32: (raw) => int32(parseIntegerText(raw as string)),
  float64: (raw) => parseDecimalText(raw as string),
  float32: (raw) => parseDecimalText(raw as string),
  bool: (raw) => parseBooleanText(raw as string, true),
  string: (raw) => raw as string,
  timestamp: (raw) => parseTimestampText(raw as string) ?? parseIntegerText(raw as string),
};

/** A CSV field, `text[start, end)` → value; as TEXT_PARSERS, without the substring. */
const FIELD_PARSERS: Record<
  ColumnType,
  (text: string, start: number, end: number) => Parsed | undefined
> = {
  int64: parseIntegerField,
  int32: (text, start, end) => int32(parseIntegerField(text, start, end)),
  float64: parseDecimalField,
  float32: parseDecimalField,
  bool: (text, start, end) => parseBooleanField(text, start, end, true),
  string: (text, start, end) => text.slice(start, end),
  timestamp: (text, start, end) =>
    parseTimestampField(text, start, end) ?? parseIntegerField(text, start, end),
};

/** JSON or JavaScript value → value. */
const VALUE_PARSERS: Record<ColumnType, (raw: unknown) => Parsed | undefined> = {
  int64: (raw) => integerValue(raw),
  int32: (raw) => int32(integerValue(raw)),
  float64: floatValue,
  float32: floatValue,
  bool: (raw) => (typeof raw === "boolean" ? raw : undefined),
  string: (raw) =>
    typeof raw === "string"
      ? raw
      : typeof raw === "number" || typeof raw === "boolean" || typeof raw === "bigint"
        ? String(raw)
        : undefined,
  timestamp: (raw) =>
    raw instanceof Date
      ? Number.isNaN(raw.getTime())
        ? undefined
        : raw.getTime()
      : typeof raw === "string"
        ? parseTimestampText(raw)
        : integerValue(raw),
};

function integerValue(raw: unknown): number | bigint | undefined {
  if (typeof raw === "bigint") return raw;
  return typeof raw === "number" && Number.isSafeInteger(raw) ? raw : undefined;
}

function floatValue(raw: unknown): number | undefined {
  if (typeof raw === "number") return raw;
  return typeof raw === "bigint" ? Number(raw) : undefined;
}

function location(context: ColumnBuildContext, row: number) {
  const line = context.lines?.[row];
  return {
    source: context.source,
    row: context.firstRow + row,
    ...(line !== undefined ? { line } : {}),
    column: context.column.name,
  };
}

function missingValue(context: ColumnBuildContext, row: number): MissingValueError {
  return new MissingValueError(
    `the value is missing, but the column needs one (${context.requiredBecause})`,
    { ...location(context, row), fix: "Give every row a value in this column." },
  );
}

function mismatch(context: ColumnBuildContext, row: number, raw: unknown): DataValidationError {
  const shown = typeof raw === "string" ? JSON.stringify(raw) : describeValue(raw);
  const { name, type } = context.column;
  if (context.decidedBy !== undefined) {
    return new MixedTypesError(
      `the column holds ${type} values (decided by its first ${context.decidedBy} values), but this one is ${shown}`,
      {
        ...location(context, row),
        fix: `Fix the value, or declare the column's type (schema: { "${name}": "string" }).`,
      },
    );
  }
  return new TypeMismatchError(`${shown} is not a ${type}`, {
    ...location(context, row),
    fix: `Fix the value, or give the column another type (schema: { "${name}": "string" } for a new table).`,
  });
}

function describeValue(raw: unknown): string {
  if (typeof raw === "object") return Array.isArray(raw) ? "an array" : "an object";
  return `${typeof raw} ${String(raw)}`;
}
