/**
 * `kiln.data`: the raw zone of Kiln's data lake on LanceDB. Ingest files, records or Arrow
 * tables into versioned tables (append, overwrite, upsert by key keeping the newest event
 * time), read any committed version back by number or tag, and have every read recorded as a
 * dataset input of the active MLflow run. See docs/data.md.
 *
 * @example
 * ```ts
 * import * as kiln from "@kiln/kernel-lib";
 * await kiln.data.ingest("plant.csv", { table: "sensors", key: "sensor_id", eventTime: "ts", tag: "raw-2026-11-01" });
 * const table = await kiln.data.read("sensors", { tag: "raw-2026-11-01" }); // an Arrow table
 * ```
 */
import { ingest } from "./ingest";
import { read, readRows } from "./read";
import { describe, tag, tables, versions } from "./table-catalog";
import { defineFeatureView } from "../features/feature-view";
import { materialize } from "../features/materialize";
import { getOnlineFeatures } from "../features/online-features";
import { getTrainingSet } from "../features/training-set";

/** The `kiln.data` namespace, with the feature store's calls (../features). */
export const data = {
  ingest,
  read,
  readRows,
  versions,
  tables,
  tag,
  describe,
  defineFeatureView,
  materialize,
  getTrainingSet,
  getOnlineFeatures,
};

export type { IngestOptions, IngestProgress, IngestResult } from "./ingest";
export type { ReadOptions } from "./read";
export type { TableDescription } from "./table-catalog";
export type { TableRun } from "./table-runs";
export type { TableVersion } from "./table-versions";
export type { LineageOptions } from "./lineage";
export type { Column, ColumnSpec, ColumnType, DataSchemaInit } from "./column-types";
export type { FileFormat, IngestSource } from "./sources";
export type { WriteMode } from "./table-writer";
export { COLUMN_TYPES } from "./column-types";
export { resolveLakeUri } from "./lake";
export {
  DataError,
  DataValidationError,
  TypeMismatchError,
  MixedTypesError,
  MissingValueError,
  MalformedLineError,
  MissingColumnError,
  ColumnNotFoundError,
  UnknownColumnError,
  IngestOptionsError,
  SourceError,
  TableNotFoundError,
  VersionNotFoundError,
  TagNotFoundError,
} from "./errors";
