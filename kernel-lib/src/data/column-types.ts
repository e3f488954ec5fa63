/**
 * The column types of the raw zone and their Arrow equivalents. A declared schema names some or
 * all columns with a type (and optionally `nullable: false`); undeclared columns are inferred.
 *
 * @example
 * ```ts
 * await kiln.data.ingest("plant.csv", {
 *   table: "sensors",
 *   schema: { plant_id: "string", reading: { type: "float64", nullable: false } },
 * });
 * ```
 */
import type { DataType, Field, Schema } from "apache-arrow";
import { IngestOptionsError } from "./errors";
import { loadArrow } from "./lazy-modules";

/** The types a raw-zone column can have. Timestamps are UTC milliseconds. */
export const COLUMN_TYPES = [
  "int64",
  "int32",
  "float64",
  "float32",
  "bool",
  "string",
  "timestamp",
] as const;

export type ColumnType = (typeof COLUMN_TYPES)[number];

/** One declared column: its type, and whether it may hold nulls (default true). */
export type ColumnSpec = { type: ColumnType; nullable?: boolean };

/** A declared schema: column name → type, or `{ type, nullable }`. */
export type DataSchemaInit = Record<string, ColumnType | ColumnSpec>;

/** A resolved column of a table or an ingest. */
export type Column = { name: string; type: ColumnType; nullable: boolean };

/** Parses a declared schema; throws IngestOptionsError naming the column with a bad type. */
export function declaredColumns(init: DataSchemaInit): Map<string, Column> {
  const columns = new Map<string, Column>();
  for (const [name, spec] of Object.entries(init)) {
    const { type, nullable = true } = typeof spec === "string" ? { type: spec } : spec;
    if (!COLUMN_TYPES.includes(type)) {
      throw new IngestOptionsError(
        `The declared schema gives column "${name}" the type ${JSON.stringify(type)}.`,
        `Use one of: ${COLUMN_TYPES.join(", ")}.`,
      );
    }
    columns.set(name, { name, type, nullable });
  }
  return columns;
}

/** The Arrow type Kiln stores a column type as. */
export function arrowTypeOf(type: ColumnType): DataType {
  const arrow = loadArrow();
  switch (type) {
    case "int64":
      return new arrow.Int64();
    case "int32":
      return new arrow.Int32();
    case "float64":
      return new arrow.Float64();
    case "float32":
      return new arrow.Float32();
    case "bool":
      return new arrow.Bool();
    case "string":
      return new arrow.Utf8();
    case "timestamp":
      return new arrow.TimestampMillisecond("UTC");
  }
}

/**
 * The column type an Arrow type is read as, or undefined when the raw zone has no equivalent
 * (lists, structs, binary, decimals). Narrow integers widen, dictionaries of strings are strings,
 * dates and timestamps of any unit become UTC milliseconds.
 */
export function columnTypeOfArrow(type: DataType): ColumnType | undefined {
  const { Type } = loadArrow();
  switch (type.typeId) {
    case Type.Int: {
      const { bitWidth, isSigned } = type as DataType & { bitWidth: number; isSigned: boolean };
      return bitWidth < 32 || (bitWidth === 32 && isSigned) ? "int32" : "int64";
    }
    case Type.Float: {
      const { precision } = type as DataType & { precision: number };
      return precision === 2 ? "float64" : "float32";
    }
    case Type.Bool:
      return "bool";
    case Type.Utf8:
    case Type.LargeUtf8:
      return "string";
    case Type.Dictionary: {
      const { dictionary } = type as DataType & { dictionary: DataType };
      return columnTypeOfArrow(dictionary) === "string" ? "string" : undefined;
    }
    case Type.Timestamp:
    case Type.Date:
      return "timestamp";
    default:
      return undefined;
  }
}

/** The Arrow schema of `columns`, with Kiln's table metadata (key, event time). */
export function arrowSchemaOf(columns: readonly Column[], metadata: Map<string, string>): Schema {
  const arrow = loadArrow();
  return new arrow.Schema(
    columns.map((c) => new arrow.Field(c.name, arrowTypeOf(c.type), c.nullable)),
    metadata,
  );
}

/** The columns of a stored table's Arrow schema; throws for types Kiln does not write. */
export function columnsOfArrowSchema(schema: Schema, table: string): Column[] {
  return schema.fields.map((field: Field) => {
    const type = columnTypeOfArrow(field.type);
    if (!type) {
      throw new IngestOptionsError(
        `Table "${table}" has a column "${field.name}" of type ${String(field.type)}, which the raw zone cannot write.`,
        "Ingest into a new table.",
      );
    }
    return { name: field.name, type, nullable: field.nullable };
  });
}
