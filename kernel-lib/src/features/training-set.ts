/**
 * Point-in-time training sets: for each entity row (key + timestamp), the latest values of the
 * requested features at or before that timestamp, within the TTL, and nulls otherwise; the
 * same answer whatever order the feature rows were ingested in, as event time decides. The
 * feature table is read at one committed version (the newest, or one pinned by number or tag)
 * (a feature view's, or any lake table) through `kiln.data.read`, so the read is lineage on the active MLflow run, and the result
 * names the version it read: the same call with that version gives the same rows.
 *
 * @example
 * ```ts
 * const set = await kiln.data.getTrainingSet(
 *   [{ sensor_id: 7, measured_at: "2026-11-01T08:00Z", failed: 1 }],
 *   { table: "sensor_features", features: ["temp_avg", "vibration_max"], ttl: 3_600_000 },
 * );
 * set.table; // Arrow: sensor_id, measured_at, failed, temp_avg, vibration_max
 * set.reads; // [{ table: "sensor_features", version: 4, ... }]
 * ```
 */
import type { Table as ArrowTable, Vector } from "apache-arrow";
import { arrowTypeOf } from "../data/column-types";
import { Lake } from "../data/lake";
import { loadArrow } from "../data/lazy-modules";
import type { LineageOptions } from "../data/lineage";
import { read } from "../data/read";
import { readTableState, resolveVersion, type TableState } from "../data/table-versions";
import { columnValues } from "./column-values";
import { epochMillis, joinKey, prepareEntities, type EntityRows } from "./entity-rows";
import { FeatureOptionsError } from "./errors";
import type { FeatureView } from "./feature-view";
import { PointInTimeIndex } from "./point-in-time-index";

/** Options of {@link getTrainingSet}: the features come from a `view` or a `table`. */
export type TrainingSetOptions = {
  /** A materialized feature view: its table, key, event time and TTL are the defaults. */
  view?: FeatureView;
  /** A lake table holding feature rows. */
  table?: string;
  /** Feature columns to join, in output order. */
  features: readonly string[];
  /** Key column(s), named alike in the entity rows and the table; default: the table's key. */
  key?: string | readonly string[];
  /** Event-time column, named alike in both; default: the table's event time. */
  eventTime?: string;
  /**
   * Feature values older than this many milliseconds before the entity's time are null;
   * default: the view's TTL, else none.
   */
  ttl?: number;
  /** Pin the feature table to a committed version… */
  version?: number;
  /** …or to a tag. */
  tag?: string;
  /** Lake URI; default `$KILN_LAKE_URI`, `$KILN_STATE_DIR/lake` or `.kiln/lake`. */
  lake?: string;
  /** Where the read is recorded (see `kiln.data.read`); the active run by default. */
  lineage?: LineageOptions;
};

/** One table version a training set was built from. */
export type FeatureRead = { lake: string; table: string; version: number; tag?: string };

/** A training set and what it was built from. */
export type TrainingSet = {
  /** The entity rows' columns, then one column per feature (nullable, the table's type). */
  table: ArrowTable;
  features: string[];
  /** The table versions read: pass them back as `version` to rebuild the same set. */
  reads: FeatureRead[];
};

/**
 * Joins `entities` (records or an Arrow table, each with the key and a timestamp) with the
 * feature table as of each entity's time. Throws TableNotFoundError, VersionNotFoundError,
 * TagNotFoundError, FeatureOptionsError (missing columns, a bad TTL) or EntityRowError.
 */
export async function getTrainingSet(
  entities: EntityRows,
  options: TrainingSetOptions,
): Promise<TrainingSet> {
  const table = featureTable(options);
  const ttl = options.ttl ?? options.view?.ttl;
  const lake = await Lake.open(options.lake);
  const state = await readTableState(await lake.openTable(table));
  const { key, eventTime } = joinColumns(state, options);
  const features = [...options.features];
  checkFeatures(state, features, { key, eventTime, ttl });
  const version = resolveVersion(state, options);
  // Entity rows are checked before the feature table is read: a bad row fails at once.
  const prepared = prepareEntities(entities, {
    key,
    eventTime,
    keyTypes: key.map((name) => arrowTypeOf(state.columns.find((c) => c.name === name)!.type)),
  });
  const clash = features.find((name) => prepared.table.getChild(name) !== null);
  if (clash !== undefined) {
    throw new FeatureOptionsError(
      `The entity rows already have a column "${clash}", a feature of the same name.`,
      "Rename the entity column, or leave the feature out.",
    );
  }
  const data = await read(table, {
    lake: lake.uri,
    // The join needs the keys, the event time and the asked features: not the other columns.
    columns: [...new Set([...key, eventTime, ...features])],
    ...(options.tag !== undefined ? { tag: options.tag } : { version }),
    ...(options.lineage !== undefined ? { lineage: options.lineage } : {}),
  });
  const index = indexFeatureRows(data, key, eventTime);
  const rows = new Int32Array(prepared.table.numRows);
  for (let row = 0; row < rows.length; row++) {
    rows[row] = index.latestAtOrBefore(prepared.keys[row]!, prepared.times[row]!, { ttl });
  }
  const arrow = loadArrow();
  const columns: Record<string, Vector> = {};
  for (const field of prepared.table.schema.fields)
    columns[field.name] = prepared.table.getChild(field.name)!;
  for (const name of features) columns[name] = takeRows(data.getChild(name)!, rows);
  return {
    table: new arrow.Table(columns),
    features,
    reads: [
      {
        lake: lake.uri,
        table,
        version,
        ...(options.tag !== undefined ? { tag: options.tag } : {}),
      },
    ],
  };
}

function featureTable(options: TrainingSetOptions): string {
  if ((options.view === undefined) === (options.table === undefined)) {
    throw new FeatureOptionsError(
      `A training set reads one feature view or one table; ${options.view ? "both were" : "neither was"} given.`,
      'Pass { view } (a kiln.data.defineFeatureView result) or { table: "name" }.',
    );
  }
  return options.view?.name ?? options.table!;
}

function joinColumns(
  state: TableState,
  options: TrainingSetOptions,
): { key: string[]; eventTime: string } {
  const key = [options.key ?? options.view?.key ?? state.key ?? []].flat();
  const eventTime = options.eventTime ?? options.view?.eventTime ?? state.eventTime;
  if (key.length === 0 || eventTime === undefined) {
    throw new FeatureOptionsError(
      `Table "${state.name}" has no stored ${key.length ? "event time" : "key"}, and none was given.`,
      "Pass the key and eventTime options, or ingest the table with key and eventTime.",
    );
  }
  return { key, eventTime };
}

function checkFeatures(
  state: TableState,
  features: readonly string[],
  init: { key: readonly string[]; eventTime: string; ttl: number | undefined },
): void {
  const columns = state.columns.map((c) => c.name);
  if (init.ttl !== undefined && !(init.ttl >= 0)) {
    throw new FeatureOptionsError(
      `ttl ${init.ttl} is not a duration.`,
      "Give the TTL in milliseconds (≥ 0), e.g. 3_600_000 for an hour, or leave it out.",
    );
  }
  if (features.length === 0) {
    throw new FeatureOptionsError(
      "No features were asked for.",
      `Name some of the columns of table "${state.name}": ${columns.join(", ")}.`,
    );
  }
  for (const name of [...init.key, init.eventTime, ...features]) {
    if (!columns.includes(name)) {
      throw new FeatureOptionsError(
        `Table "${state.name}" has no column "${name}"; its columns are: ${columns.join(", ")}.`,
        "Name one of its columns.",
      );
    }
  }
  const joined = features.find((name) => init.key.includes(name) || name === init.eventTime);
  if (joined !== undefined) {
    throw new FeatureOptionsError(
      `"${joined}" is a join column (key or event time), not a feature.`,
      "Leave it out of features: the entity rows already carry it.",
    );
  }
}

function indexFeatureRows(data: ArrowTable, key: string[], eventTime: string): PointInTimeIndex {
  const keyColumns = key.map((name) => columnValues(data.getChild(name)!));
  const timeColumn = columnValues(data.getChild(eventTime)!);
  // `numRows` sums over the table's batches on every read, so it is read once.
  const length = data.numRows;
  const keys = new Array<string>(length);
  const times = new Float64Array(length);
  for (let row = 0; row < length; row++) {
    keys[row] = joinKey(keyColumns.map((column) => column[row]));
    times[row] = epochMillis(timeColumn[row]) ?? NaN;
  }
  return PointInTimeIndex.build(keys, times);
}

/** The values of `column` at `rows` (-1: null), as a vector of the same type. */
function takeRows(column: Vector, rows: Int32Array): Vector {
  const source = columnValues(column);
  const values = Array.from(rows, (row) => (row < 0 ? null : source[row]));
  return loadArrow().vectorFromArray(values, column.type);
}
