/**
 * Entity rows, the left side of a training set: each names an entity by its key column(s) and a
 * moment by its timestamp. They come as plain records or an Arrow table and are turned into an
 * Arrow table of this copy of apache-arrow (keys typed like the feature table's, the timestamp
 * as UTC milliseconds) plus the join's inputs: one key string and one epoch-millisecond time
 * per row.
 *
 * @example
 * ```ts
 * const rows = prepareEntities([{ sensor_id: 7, at: "2026-11-01T08:00Z", label: 1 }], {
 *   key: ["sensor_id"], eventTime: "at", keyTypes: [new Int64()],
 * });
 * rows.keys; // ["7"]
 * rows.times; // Float64Array [1793520000000]
 * ```
 */
import type { DataType, Table as ArrowTable, Vector } from "apache-arrow";
import { arrowTypeOf, columnTypeOfArrow } from "../data/column-types";
import { loadArrow } from "../data/lazy-modules";
import { EntityRowError, FeatureOptionsError } from "./errors";

/** The entity side of a training set. */
export type EntityRows = readonly Record<string, unknown>[] | ArrowTable;

/** Entity rows ready for the join. */
export type PreparedEntities = {
  table: ArrowTable;
  /** One join key per row (see {@link joinKey}). */
  keys: string[];
  /** One timestamp per row, epoch milliseconds. */
  times: Float64Array;
};

/**
 * The string a key joins on: values of different JavaScript types that mean the same key
 * (`7`, `7n`, `"7"`) match, as an int64 key read from the lake is a bigint.
 */
export function joinKey(values: readonly unknown[]): string {
  return values.length === 1 ? String(values[0]) : values.map(String).join("\u001f");
}

/** Epoch milliseconds of a timestamp value (number, bigint, Date or ISO-8601 text). */
export function epochMillis(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === "string") {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/** Reads the key strings and times of `entities`, converting records to Arrow. */
export function prepareEntities(
  entities: EntityRows,
  init: { key: readonly string[]; eventTime: string; keyTypes: readonly DataType[] },
): PreparedEntities {
  const table = toArrow(entities, init);
  const columns = [...init.key, init.eventTime].map((name) => {
    const column = table.getChild(name);
    if (!column) {
      throw new FeatureOptionsError(
        `The entity rows have no column "${name}" (${name === init.eventTime ? "the event time" : "a key"}); their columns are: ${table.schema.fields.map((f) => f.name).join(", ") || "(none)"}.`,
        "Give every entity row the feature table's key and event-time columns, or name yours with the key and eventTime options.",
      );
    }
    return column as Vector;
  });
  const keyColumns = columns.slice(0, -1);
  const timeColumn = columns.at(-1)!;
  // `numRows` sums over the table's batches on every read, so it is read once.
  const length = table.numRows;
  const keys = new Array<string>(length);
  const times = new Float64Array(length);
  for (let row = 0; row < length; row++) {
    const values = keyColumns.map((column) => column.get(row) as unknown);
    const missing = values.findIndex((value) => value === null || value === undefined);
    if (missing >= 0) {
      throw new EntityRowError("the key is missing", {
        row,
        column: init.key[missing]!,
        fix: "Give every entity row a key value.",
      });
    }
    keys[row] = joinKey(values);
    times[row] = requireTime(timeColumn.get(row), row, init.eventTime);
  }
  return { table, keys, times };
}

function requireTime(value: unknown, row: number, column: string): number {
  const time = epochMillis(value);
  if (time !== undefined) return time;
  throw new EntityRowError(`${String(value)} is not a timestamp`, {
    row,
    column,
    fix: "Use a Date, epoch milliseconds or ISO-8601 text such as 2026-11-01T08:00:00Z.",
  });
}

function isArrowTable(entities: EntityRows): entities is ArrowTable {
  return !Array.isArray(entities);
}

/** Column names, their values, and their Arrow type where known (else inferred from values). */
type EntityColumns = {
  names: string[];
  values(name: string): unknown[];
  type(name: string): DataType | undefined;
};

function recordColumns(records: readonly Record<string, unknown>[]): EntityColumns {
  return {
    names: [...new Set(records.flatMap((record) => Object.keys(record)))],
    values: (name) => records.map((record) => record[name] ?? null),
    type: () => undefined,
  };
}

// An Arrow table built with another copy of apache-arrow (a notebook's ESM import) cannot be
// combined with this one's vectors, so its columns are copied through JavaScript values.
function foreignArrowColumns(table: ArrowTable): EntityColumns {
  const types = new Map(table.schema.fields.map((field) => [field.name, field.type]));
  return {
    names: [...types.keys()],
    values: (name) => Array.from(table.getChild(name)!, (value) => value as unknown),
    type: (name) => {
      const columnType = columnTypeOfArrow(types.get(name)!);
      return columnType === undefined ? undefined : arrowTypeOf(columnType);
    },
  };
}

function toArrow(
  entities: EntityRows,
  init: { key: readonly string[]; eventTime: string; keyTypes: readonly DataType[] },
): ArrowTable {
  const arrow = loadArrow();
  if (entities instanceof arrow.Table) return entities;
  const columns = isArrowTable(entities) ? foreignArrowColumns(entities) : recordColumns(entities);
  const vectors: Record<string, Vector> = {};
  for (const name of columns.names) {
    const values = columns.values(name);
    const keyAt = init.key.indexOf(name);
    if (name === init.eventTime) {
      const times = values.map((value, row) =>
        value === null ? null : requireTime(value, row, name),
      );
      vectors[name] = arrow.vectorFromArray(times, new arrow.TimestampMillisecond("UTC"));
    } else if (keyAt >= 0) {
      const type = init.keyTypes[keyAt]!;
      const bigints = arrow.DataType.isInt(type) && type.bitWidth === 64;
      vectors[name] = arrow.vectorFromArray(
        values.map((v) => (bigints && typeof v === "number" ? BigInt(v) : v)),
        type,
      );
    } else {
      const type = columns.type(name);
      vectors[name] = type ? arrow.vectorFromArray(values, type) : arrow.vectorFromArray(values);
    }
  }
  return new arrow.Table(vectors);
}
