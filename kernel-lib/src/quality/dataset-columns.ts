/**
 * Data in memory as expectations read it: column by column, whatever it came as (an array of
 * records or an Arrow table, e.g. one `kiln.data.read` returned). Apache Arrow is never loaded
 * here: tables are recognised by their shape.
 *
 * @example
 * ```ts
 * const data = DatasetColumns.of([{ id: 1, temp: 20.5 }, { id: 2 }]);
 * data.has("temp"); // true
 * data.values("temp"); // [20.5, undefined]
 * ```
 */
import type { Table as ArrowTable } from "apache-arrow";
import { columnValues } from "../features/column-values";
import { QualityOptionsError } from "./errors";
import type { Row } from "./suite-format";

/** Data in memory: an array of records or an Arrow table. */
export type DatasetRows = readonly Row[] | ArrowTable;

// Arrow type ids of timestamp-like columns (apache-arrow's Type enum: Date, Timestamp).
const ARROW_TIME_TYPE_IDS = new Set([8, 10]);

/** Column-wise access to one dataset. */
export class DatasetColumns {
  readonly rowCount: number;
  /** Its columns, in order (for records: every key any record has, in order of appearance). */
  readonly columnNames: string[];
  readonly kind: "records" | "arrow";
  #read: (name: string) => ArrayLike<unknown>;
  #timeColumns: Set<string>;
  #cache = new Map<string, ArrayLike<unknown>>();
  #allColumnsKnown: boolean;

  private constructor(init: {
    kind: "records" | "arrow";
    rowCount: number;
    columnNames: string[];
    read: (name: string) => ArrayLike<unknown>;
    timeColumns?: Set<string>;
    allColumnsKnown: boolean;
  }) {
    this.kind = init.kind;
    this.rowCount = init.rowCount;
    this.columnNames = init.columnNames;
    this.#read = init.read;
    this.#timeColumns = init.timeColumns ?? new Set();
    this.#allColumnsKnown = init.allColumnsKnown;
  }

  /** Wraps records or an Arrow table; throws QualityOptionsError for anything else. */
  static of(data: unknown): DatasetColumns {
    if (Array.isArray(data)) return DatasetColumns.#ofRecords(data as unknown[]);
    if (isArrowTable(data)) return DatasetColumns.#ofArrow(data);
    throw new QualityOptionsError(
      `Cannot read data from ${describeInput(data)}.`,
      'Pass an array of records, an Arrow table (e.g. from kiln.data.read), or a lake table: "sensors" or { table: "sensors", tag: "raw-2026-11-01" }.',
    );
  }

  static #ofRecords(records: unknown[]): DatasetColumns {
    const names = new Set<string>();
    records.forEach((record, i) => {
      if (typeof record !== "object" || record === null || Array.isArray(record)) {
        throw new QualityOptionsError(
          `Record ${i} of the data is ${describeInput(record)}, not an object.`,
          "Pass records as objects of column → value, e.g. [{ id: 1, temp: 20.5 }].",
        );
      }
      for (const key of Object.keys(record)) names.add(key);
    });
    const rows = records as Row[];
    return new DatasetColumns({
      kind: "records",
      rowCount: rows.length,
      columnNames: [...names],
      read: (name) => rows.map((row) => row[name]),
      // No records, no keys: every column counts as present (and empty).
      allColumnsKnown: rows.length === 0,
    });
  }

  static #ofArrow(table: ArrowTable): DatasetColumns {
    const fields = table.schema.fields;
    return new DatasetColumns({
      kind: "arrow",
      rowCount: table.numRows,
      columnNames: fields.map((f) => f.name),
      read: (name) => columnValues(table.getChild(name)!),
      timeColumns: new Set(
        fields.filter((f) => ARROW_TIME_TYPE_IDS.has(f.type.typeId as number)).map((f) => f.name),
      ),
      allColumnsKnown: false,
    });
  }

  /** Whether the data has column `name`. */
  has(name: string): boolean {
    return this.#allColumnsKnown || this.columnNames.includes(name);
  }

  /** The values of column `name`, by row (undefined values for a column it lacks). */
  values(name: string): ArrayLike<unknown> {
    let values = this.#cache.get(name);
    if (!values) {
      values = this.columnNames.includes(name) ? this.#read(name) : [];
      this.#cache.set(name, values);
    }
    return values;
  }

  /** Whether column `name` is typed as a timestamp or date (Arrow data only). */
  isTimeColumn(name: string): boolean {
    return this.#timeColumns.has(name);
  }

  /** Row `index` as an object of `columns` (default: every column). */
  row(index: number, columns: readonly string[] = this.columnNames): Row {
    const row: Row = {};
    for (const name of columns) row[name] = this.values(name)[index];
    return row;
  }

  /** The columns of `wanted` the data lacks. */
  missingColumns(wanted: readonly string[]): string[] {
    return wanted.filter((name) => !this.has(name));
  }
}

/** Whether `value` looks like an Arrow table (of any copy of apache-arrow). */
export function isArrowTable(value: unknown): value is ArrowTable {
  const v = value as Partial<ArrowTable> | null;
  return (
    typeof v === "object" &&
    v !== null &&
    typeof v.getChild === "function" &&
    typeof v.numRows === "number" &&
    Array.isArray(v.schema?.fields)
  );
}

function describeInput(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "no prototype"})`;
  return `a ${typeof value} (${String(value).slice(0, 40)})`;
}
