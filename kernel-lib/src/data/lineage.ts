/**
 * Lineage: a read of a lake table is recorded on the MLflow run that is active (a pipeline
 * step's run, the notebook's interactive run, or a run passed in) as a dataset input whose
 * source is the table's location and version. Every model trained in that run thereby points to
 * the exact data it saw; `kiln data show` finds the runs again by dataset name and digest.
 *
 * @example
 * ```ts
 * const input = datasetInput({ lake: "/repo/.kiln/lake", table: "sensors", version: 3, ... });
 * input.dataset.source; // {"uri":"/repo/.kiln/lake","table":"sensors","version":3}
 * ```
 */
import { createHash } from "node:crypto";
import type { ActiveRun } from "../mlflow/run";
import type { DatasetInput } from "../mlflow/types";
import { logDatasetInputs } from "../pipeline/runtime/log";
import type { Column, ColumnType } from "./column-types";

/** MLflow's `source_type` of lake tables. */
export const LAKE_SOURCE_TYPE = "kiln-lake";

/** Where a read's lineage goes: the active run (default), a given run, or nowhere (`false`). */
export type LineageOptions = false | { run?: ActiveRun; context?: string };

/** One version of one table, as lineage records it. */
export type TableVersionRef = {
  lake: string;
  table: string;
  version: number;
  /** When the version was written: part of the digest, so a re-created table differs. */
  time: Date;
  rows: number;
  columns: readonly Column[];
  tag?: string | undefined;
};

const MLFLOW_TYPES: Record<ColumnType, string> = {
  int64: "long",
  int32: "integer",
  float64: "double",
  float32: "float",
  bool: "boolean",
  string: "string",
  timestamp: "datetime",
};

/** The digest of a table version: stable for the same lake, table, version and write time. */
export function versionDigest(
  ref: Pick<TableVersionRef, "lake" | "table" | "version" | "time">,
): string {
  return createHash("sha256")
    .update(JSON.stringify([ref.lake, ref.table, ref.version, ref.time.getTime()]))
    .digest("hex")
    .slice(0, 16);
}

/** The MLflow dataset input of a table version. */
export function datasetInput(ref: TableVersionRef, context?: string): DatasetInput {
  return {
    dataset: {
      name: ref.table,
      digest: versionDigest(ref),
      sourceType: LAKE_SOURCE_TYPE,
      source: JSON.stringify({
        uri: ref.lake,
        table: ref.table,
        version: ref.version,
        ...(ref.tag !== undefined ? { tag: ref.tag } : {}),
      }),
      schema: JSON.stringify({
        mlflow_colspec: ref.columns.map((c) => ({
          name: c.name,
          type: MLFLOW_TYPES[c.type],
          required: !c.nullable,
        })),
      }),
      profile: JSON.stringify({ num_rows: ref.rows }),
    },
    ...(context !== undefined ? { tags: { "mlflow.data.context": context } } : {}),
  };
}

/** Records the read of `ref` where `options` says (buffered: delivered with the run's logs). */
export function recordLineage(ref: TableVersionRef, options: LineageOptions | undefined): void {
  if (options === false) return;
  const input = datasetInput(ref, options?.context);
  if (options?.run) options.run.logInputs(input);
  else logDatasetInputs([input]);
}
