/**
 * Feature views: a named, versioned definition of features — entity key(s), event-time column,
 * the raw tables they come from, the TypeScript function that turns raw rows into feature rows
 * (the same function a notebook uses), and a TTL. `materialize` (materialize.ts) writes a view
 * into the lake table of its name; `getTrainingSet({ view })` reads it.
 *
 * @example
 * ```ts
 * const sensorHealth = kiln.data.defineFeatureView({
 *   name: "sensor_health",
 *   version: 2,
 *   key: "sensor_id",
 *   eventTime: "measured_at",
 *   sources: ["sensors"],
 *   ttl: 6 * 3_600_000,
 *   transform: (rows) => rows.map((r) => ({ sensor_id: r.sensor_id, measured_at: r.measured_at, hot: Number(r.temp) > 80 })),
 * });
 * ```
 */
import type { DataSchemaInit } from "../data/column-types";
import { assertTableName } from "../data/lake";
import { FeatureOptionsError } from "./errors";

/** A raw row as the transform gets it: int64 values are bigints, timestamps epoch milliseconds. */
export type RawRow = Record<string, unknown>;

/** Turns new rows of one source table into feature rows (key, event time, features). */
export type FeatureTransform = (
  rows: RawRow[],
  context: { source: string },
) => RawRow[] | Promise<RawRow[]>;

/** What {@link defineFeatureView} takes. */
export type FeatureViewInit = {
  /** Names the view and the lake table it is materialized into. */
  name: string;
  /** The definition's version (default 1): a new one rematerializes the view from scratch. */
  version?: number;
  key: string | readonly string[];
  eventTime: string;
  /** Raw tables the transform reads. */
  sources: readonly string[];
  /** Called with only the rows each source gained since the last materialization. */
  transform: FeatureTransform;
  /** Default TTL of training sets read from the view, in milliseconds. */
  ttl?: number;
  /** Types of some feature columns (the others are inferred; the event time is a timestamp). */
  schema?: DataSchemaInit;
};

/** A checked feature view definition. */
export type FeatureView = Readonly<{
  name: string;
  version: number;
  key: readonly string[];
  eventTime: string;
  sources: readonly string[];
  transform: FeatureTransform;
  ttl: number | undefined;
  schema: DataSchemaInit;
}>;

/** Checks a feature view definition; throws FeatureOptionsError saying what to change. */
export function defineFeatureView(init: FeatureViewInit): FeatureView {
  assertTableName(init.name);
  const key = [init.key].flat();
  const version = init.version ?? 1;
  const problems = [
    key.length === 0 && "it has no key column",
    !init.eventTime && "it has no event-time column",
    init.sources.length === 0 && "it has no source table",
    init.sources.includes(init.name) && "it reads its own table",
    typeof init.transform !== "function" && "its transform is not a function",
    !(Number.isInteger(version) && version >= 1) && `version ${version} is not a whole number ≥ 1`,
    init.ttl !== undefined && !(init.ttl >= 0) && `ttl ${init.ttl} is not a duration`,
  ].filter((problem): problem is string => typeof problem === "string");
  if (problems.length > 0) {
    throw new FeatureOptionsError(
      `Feature view "${init.name}" cannot be defined: ${problems.join("; ")}.`,
      "Give it key, eventTime, sources (other tables), a transform function, and optionally a version ≥ 1 and a ttl in milliseconds.",
    );
  }
  init.sources.forEach(assertTableName);
  return Object.freeze({
    name: init.name,
    version,
    key,
    eventTime: init.eventTime,
    sources: [...init.sources],
    transform: init.transform,
    ttl: init.ttl,
    schema: { ...init.schema, [init.eventTime]: "timestamp" } satisfies DataSchemaInit,
  });
}
