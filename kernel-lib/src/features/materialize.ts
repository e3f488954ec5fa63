/**
 * Materializing a feature view: the rows each source table gained since the view last ran go
 * through the view's transform, and the feature rows are upserted into the view's lake table on
 * (key, event time) as one committed version. Only new source versions are processed (see
 * view-catalog.ts for how new rows are told apart); running it twice over the same rows leaves
 * the same table, as a feature row with the same key and time replaces its twin.
 *
 * @example
 * ```ts
 * const result = await kiln.data.materialize(sensorHealth);
 * result.sources; // [{ table: "sensors", from: 3, to: 5, rows: 1200 }]
 * ```
 */
import type { RecordBatch } from "apache-arrow";
import { ingest } from "../data/ingest";
import { Lake } from "../data/lake";
import { recordLineage, type LineageOptions } from "../data/lineage";
import { readTableState, resolveVersion } from "../data/table-versions";
import type { FeatureView, RawRow } from "./feature-view";
import { ViewCatalog, type SourceProgress } from "./view-catalog";

/** Options of {@link materialize}. */
export type MaterializeOptions = {
  /** Lake URI; default `$KILN_LAKE_URI`, `$KILN_STATE_DIR/lake` or `.kiln/lake`. */
  lake?: string;
  /** Where the reads of the sources are recorded (see `kiln.data.read`). */
  lineage?: LineageOptions;
};

/** What one source contributed to a materialization. */
export type MaterializedSource = {
  table: string;
  /** The version processed before (undefined: never). */
  from: number | undefined;
  /** The version processed now. */
  to: number;
  /** New source rows that went through the transform. */
  rows: number;
};

/** What a materialization did. */
export type MaterializeResult = {
  view: string;
  /** The view table's new committed version; undefined when no source had new rows. */
  version: number | undefined;
  /** Feature rows written. */
  rows: number;
  sources: MaterializedSource[];
};

/** Brings the view's table up to date with its sources' newest committed versions. */
export async function materialize(
  view: FeatureView,
  options: MaterializeOptions = {},
): Promise<MaterializeResult> {
  const lake = await Lake.open(options.lake);
  const catalog = ViewCatalog.open(lake);
  const done = await catalog.progress(view.name);
  // A new definition starts over: its transform may compute other features from the same rows.
  const restart = [...done.values()].some((p) => p.definition !== view.version);
  const progress = new Map<string, SourceProgress>();
  const sources: MaterializedSource[] = [];
  const features: RawRow[] = [];
  for (const source of view.sources) {
    const before = restart ? undefined : done.get(source);
    const { rows, now } = await newRows(lake, source, before, options.lineage);
    progress.set(source, { definition: view.version, ...now });
    sources.push({ table: source, from: before?.version, to: now.version, rows: rows.length });
    if (rows.length === 0) continue;
    // Not push(...rows): spreading a million rows as arguments overflows the stack.
    for (const row of await view.transform(rows, { source })) features.push(row);
  }
  let version: number | undefined;
  if (features.length > 0) {
    const written = await ingest(features, {
      table: view.name,
      lake: lake.uri,
      key: [...view.key, view.eventTime],
      eventTime: view.eventTime,
      schema: view.schema,
      mode: restart ? "overwrite" : "upsert",
    });
    version = written.version;
  }
  await catalog.record(view.name, progress);
  return { view: view.name, version, rows: features.length, sources };
}

/** The rows `source` gained after `before`, at its newest committed version. */
async function newRows(
  lake: Lake,
  source: string,
  before: SourceProgress | undefined,
  lineage: LineageOptions | undefined,
): Promise<{ rows: RawRow[]; now: { version: number; fragments: number } }> {
  const table = await lake.openTable(source);
  const state = await readTableState(table);
  const version = resolveVersion(state, {});
  if (before && before.version === version) {
    return { rows: [], now: { version, fragments: before.fragments } };
  }
  await table.checkout(version);
  const data = await table.query().withRowId().toArrow();
  const processed = before?.fragments ?? 0;
  let fragments = processed;
  const rows: RawRow[] = [];
  for (const batch of data.batches as unknown as RecordBatch[]) {
    const rowIds = batch.getChild("_rowid")!;
    for (let row = 0; row < batch.numRows; row++) {
      const fragment = Number(BigInt(rowIds.get(row) as bigint) >> 32n);
      fragments = Math.max(fragments, fragment + 1);
      if (fragment < processed) continue;
      const values = (batch.get(row) as { toJSON(): RawRow }).toJSON();
      delete values["_rowid"];
      rows.push(values);
    }
  }
  const info = state.versions.find((v) => v.version === version)!;
  recordLineage(
    {
      lake: lake.uri,
      table: source,
      version,
      time: info.time,
      rows: data.numRows,
      columns: state.columns,
    },
    lineage,
  );
  return { rows, now: { version, fragments } };
}
