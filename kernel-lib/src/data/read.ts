/**
 * Reading lake tables: `read` returns one committed version as an Arrow table (the newest, or
 * one pinned by number or tag) and records the read as lineage on the active MLflow run;
 * `readRows` returns plain objects.
 *
 * @example
 * ```ts
 * const latest = await kiln.data.read("sensors");
 * const snapshot = await kiln.data.read("sensors", { tag: "raw-2026-11-01" });
 * const rows = await kiln.data.readRows("sensors", { version: 3 });
 * ```
 */
import type { Table as ArrowTable } from "apache-arrow";
import { ColumnNotFoundError } from "./errors";
import { Lake } from "./lake";
import { recordLineage, type LineageOptions } from "./lineage";
import { readTableState, resolveVersion } from "./table-versions";

/** Options of {@link read}. */
export type ReadOptions = {
  /** A committed version number. */
  version?: number;
  /** A tag, e.g. `raw-2026-11-01`. */
  tag?: string;
  /** Only these columns (default all): a wide table is read no wider than needed. */
  columns?: readonly string[];
  /** Lake URI; default `$KILN_LAKE_URI`, `$KILN_STATE_DIR/lake` or `.kiln/lake`. */
  lake?: string;
  /**
   * Where the read is recorded: the active run by default (a pipeline step's, or the notebook's
   * interactive run when `MLFLOW_TRACKING_URI` is set), `{ run }` for a given run, optionally
   * with an MLflow context such as `"training"`; `false` records nothing.
   */
  lineage?: LineageOptions;
};

/**
 * One committed version of `table` as an Arrow table. Throws TableNotFoundError,
 * VersionNotFoundError or TagNotFoundError naming what exists.
 */
export async function read(table: string, options: ReadOptions = {}): Promise<ArrowTable> {
  const lake = await Lake.open(options.lake);
  const lanceTable = await lake.openTable(table);
  const state = await readTableState(lanceTable);
  const version = resolveVersion(state, options);
  await lanceTable.checkout(version);
  if (options.columns) checkColumns(table, state.columns, options.columns);
  const data = (options.columns
    ? await lanceTable
        .query()
        .select([...options.columns])
        .toArrow()
    : await lanceTable.toArrow()) as unknown as ArrowTable;
  const info = state.versions.find((v) => v.version === version)!;
  recordLineage(
    {
      lake: lake.uri,
      table,
      version,
      time: info.time,
      rows: data.numRows,
      columns: state.columns,
      tag: options.tag,
    },
    options.lineage,
  );
  return data;
}

function checkColumns(
  table: string,
  known: readonly { name: string }[],
  columns: readonly string[],
): void {
  const names = new Set(known.map((column) => column.name));
  const unknown = columns.filter((name) => !names.has(name));
  if (unknown.length > 0) {
    throw new ColumnNotFoundError(
      `Table "${table}" has no column ${unknown.map((name) => `"${name}"`).join(", ")}; its columns are ${[...names].join(", ")}.`,
    );
  }
}

/** Like {@link read}, as plain row objects (int64 values are bigints, timestamps milliseconds). */
export async function readRows(
  table: string,
  options: ReadOptions = {},
): Promise<Record<string, unknown>[]> {
  const data = await read(table, options);
  return data.toArray().map((row) => ({ ...(row as { toJSON(): object }).toJSON() }));
}
