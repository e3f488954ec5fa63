/**
 * What the lake holds: its tables, a table's committed versions (time, rows, tags), tagging a
 * version, and the full description `kiln data show` prints, with the MLflow runs that read
 * each version.
 *
 * @example
 * ```ts
 * await kiln.data.tables(); // ["sensors"]
 * await kiln.data.versions("sensors"); // [{ version: 1, time, rows: 1200, tags: ["raw-2026-11-01"] }]
 * await kiln.data.tag("sensors", "golden", 3);
 * const description = await kiln.data.describe("sensors", { trackingUri: "http://127.0.0.1:5000" });
 * ```
 */
import type { Column } from "./column-types";
import { Lake } from "./lake";
import { runsByVersion, type TableRun } from "./table-runs";
import { assertNewTag, readTableState, resolveVersion, type TableVersion } from "./table-versions";

/** The lake's tables, sorted. */
export async function tables(options: { lake?: string } = {}): Promise<string[]> {
  return (await Lake.open(options.lake)).tableNames();
}

/** The committed versions of `table`, oldest first, with row counts and tags. */
export async function versions(
  table: string,
  options: { lake?: string } = {},
): Promise<TableVersion[]> {
  const lake = await Lake.open(options.lake);
  return (await readTableState(await lake.openTable(table))).versions;
}

/** Tags a committed version (default: the newest) for good; resolves with its number. */
export async function tag(
  table: string,
  name: string,
  version?: number,
  options: { lake?: string } = {},
): Promise<number> {
  const lake = await Lake.open(options.lake);
  const lanceTable = await lake.openTable(table);
  const state = await readTableState(lanceTable);
  assertNewTag(state, name);
  const resolved = resolveVersion(state, { version });
  await (await lanceTable.tags()).create(name, resolved);
  return resolved;
}

/** A table as `kiln data show` prints it. */
export type TableDescription = {
  table: string;
  lake: string;
  columns: Column[];
  key: string[] | undefined;
  eventTime: string | undefined;
  /** Committed versions, oldest first; `runs` when a tracking server was asked. */
  versions: (TableVersion & { runs: TableRun[] | undefined })[];
};

/**
 * Describes `table`; with a `trackingUri` (default `$MLFLOW_TRACKING_URI`), also which MLflow
 * runs read each version.
 */
export async function describe(
  table: string,
  options: { lake?: string; trackingUri?: string } = {},
): Promise<TableDescription> {
  const lake = await Lake.open(options.lake);
  const state = await readTableState(await lake.openTable(table));
  const trackingUri = options.trackingUri ?? process.env["MLFLOW_TRACKING_URI"];
  const runs = trackingUri
    ? await runsByVersion({ trackingUri, lake: lake.uri, table, versions: state.versions })
    : undefined;
  return {
    table,
    lake: lake.uri,
    columns: state.columns,
    key: state.key,
    eventTime: state.eventTime,
    versions: state.versions.map((v) => ({
      ...v,
      runs: runs ? (runs.get(v.version) ?? []) : undefined,
    })),
  };
}
