/**
 * Online lookups for serving: the latest feature values of each key, answered from an
 * in-memory index of the view's newest committed version (key → row with the newest event
 * time). The index is built on first use and rebuilt when the table gets a new committed
 * version; to keep lookups in memory, the version is checked at most every `maxStalenessMs`.
 * Values older than the view's TTL are not served (null), as in training sets: a feature that
 * stopped updating must not pass for current.
 *
 * @example
 * ```ts
 * const { rows, version } = await kiln.data.getOnlineFeatures(sensorHealth, [{ sensor_id: 7 }, 8]);
 * rows[0]; // { temp_f: 77.1, hot: false }, or null for a key the view has never seen
 * ```
 */
import type { Table as ArrowTable } from "apache-arrow";
import { Lake, resolveLakeUri } from "../data/lake";
import { readTableState, resolveVersion } from "../data/table-versions";
import { columnValues } from "./column-values";
import { epochMillis, joinKey } from "./entity-rows";
import { FeatureOptionsError } from "./errors";
import type { FeatureView } from "./feature-view";

/** What an online lookup needs of a feature view: a bundle keeps just this to look values up. */
export type FeatureViewRef = Pick<FeatureView, "name" | "key" | "eventTime" | "ttl">;

/** Options of {@link getOnlineFeatures}. */
export type OnlineFeaturesOptions = {
  /** Feature columns to return; default every column but the key and event time. */
  features?: readonly string[];
  /** How old the index may be before the table's version is checked again; default 1000 ms. */
  maxStalenessMs?: number;
  /** Lake URI; default `$KILN_LAKE_URI`, `$KILN_STATE_DIR/lake` or `.kiln/lake`. */
  lake?: string;
  /** Oldest values served, in ms before `now`; default the view's TTL (none: any age). */
  ttl?: number;
  /** The time TTLs count back from (a Date, epoch ms or ISO string); default the current time. */
  now?: Date | number | string;
};

/** The answer to a lookup: one row of features per key asked (null: key unknown). */
export type OnlineFeatures = {
  /** The view table's version the values come from. */
  version: number;
  rows: (Record<string, unknown> | null)[];
  /** Indexes (into `rows`) of keys whose latest values are older than the TTL: null in `rows`. */
  expired: number[];
};

/** A key to look up: a record holding the key column(s), an array of key values, or a value. */
export type EntityKey = Record<string, unknown> | readonly unknown[] | string | number | bigint;

type OnlineIndex = {
  version: number;
  checkedAt: number;
  data: ArrowTable;
  latestRow: Map<string, number>;
  /** Event time (epoch ms) of each key's latest row. */
  latestTime: Map<string, number>;
};

// One index per lake and table, shared by every caller in the process (a serving worker).
const indexes = new Map<string, Promise<OnlineIndex>>();

/** The latest feature values of `keys` in a materialized feature view. */
export async function getOnlineFeatures(
  view: FeatureViewRef,
  keys: readonly EntityKey[],
  options: OnlineFeaturesOptions = {},
): Promise<OnlineFeatures> {
  const index = await currentIndex(options.lake, view, options.maxStalenessMs ?? 1000);
  const features =
    options.features ??
    index.data.schema.fields
      .map((field) => field.name)
      .filter((name) => !view.key.includes(name) && name !== view.eventTime);
  const columns = features.map((name) => {
    const column = index.data.getChild(name);
    if (column) return column;
    throw new FeatureOptionsError(
      `Feature view "${view.name}" has no column "${name}"; its columns are: ${index.data.schema.fields.map((f) => f.name).join(", ")}.`,
      "Ask for some of its feature columns.",
    );
  });
  const ttl = options.ttl ?? view.ttl;
  if (ttl !== undefined && !(ttl >= 0)) {
    throw new FeatureOptionsError(`ttl ${ttl} is not a duration.`, "Give it in milliseconds ≥ 0.");
  }
  const now = new Date(options.now ?? Date.now()).getTime();
  if (Number.isNaN(now)) {
    throw new FeatureOptionsError(
      `now ${String(options.now)} is not a time.`,
      "Give a Date, epoch milliseconds or an ISO 8601 string.",
    );
  }
  const oldest = ttl === undefined ? -Infinity : now - ttl;
  const expired: number[] = [];
  const rows = keys.map((key, at) => {
    const id = joinKey(keyValues(key, view));
    const row = index.latestRow.get(id);
    if (row === undefined) return null;
    if (index.latestTime.get(id)! < oldest) {
      expired.push(at);
      return null;
    }
    const values: Record<string, unknown> = {};
    features.forEach((name, at) => (values[name] = columns[at]!.get(row) as unknown));
    return values;
  });
  return { version: index.version, rows, expired };
}

async function currentIndex(
  lakeUri: string | undefined,
  view: FeatureViewRef,
  maxStalenessMs: number,
): Promise<OnlineIndex> {
  const id = `${resolveLakeUri(lakeUri)}\u0000${view.name}`;
  const cached = indexes.get(id);
  const index = cached ? await cached.catch(() => undefined) : undefined;
  // A fresh index answers without touching the lake: no connection, no version check.
  if (index && Date.now() - index.checkedAt <= maxStalenessMs) return index;
  const lake = await Lake.open(lakeUri);
  const table = await lake.openTable(view.name);
  const version = resolveVersion(await readTableState(table), {});
  if (index && index.version === version) {
    index.checkedAt = Date.now();
    return index;
  }
  const building = buildIndex(table, version, view);
  indexes.set(id, building);
  return building;
}

async function buildIndex(
  table: Awaited<ReturnType<Lake["openTable"]>>,
  version: number,
  view: FeatureViewRef,
): Promise<OnlineIndex> {
  await table.checkout(version);
  const data = (await table.toArrow()) as unknown as ArrowTable;
  const keyColumns = view.key.map((name) => columnValues(data.getChild(name)!));
  const timeColumn = columnValues(data.getChild(view.eventTime)!);
  const latestRow = new Map<string, number>();
  const latestTime = new Map<string, number>();
  // `numRows` sums over the table's batches on every read, so it is read once.
  const length = data.numRows;
  for (let row = 0; row < length; row++) {
    const key = joinKey(keyColumns.map((column) => column[row]));
    const time = epochMillis(timeColumn[row]) ?? -Infinity;
    // `>=`: of rows with equal times, the one written last wins, as in training sets.
    if (time >= (latestTime.get(key) ?? -Infinity)) {
      latestRow.set(key, row);
      latestTime.set(key, time);
    }
  }
  return { version, checkedAt: Date.now(), data, latestRow, latestTime };
}

function keyValues(key: EntityKey, view: FeatureViewRef): unknown[] {
  if (Array.isArray(key)) return key as unknown[];
  if (typeof key === "object" && key !== null) {
    return view.key.map((name) => (key as Record<string, unknown>)[name]);
  }
  return [key];
}
