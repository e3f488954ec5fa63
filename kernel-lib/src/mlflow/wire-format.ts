/**
 * MLflow's JSON shapes and their conversion to the client's types. MLflow omits empty fields,
 * may send int64 values as strings and NaN metrics as `"NaN"`, so every field is optional here and
 * normalised once, in this module.
 *
 * @example
 * ```ts
 * const run = toRun(response.run);
 * ```
 */
import type {
  ArtifactEntry,
  DatasetInput,
  Experiment,
  Metric,
  ModelVersion,
  ModelVersionStatus,
  RegisteredModel,
  Run,
  RunStatus,
} from "./types";

/** `{key, value}` as MLflow sends tags and params. */
export interface WireKeyValue {
  key?: string;
  value?: string;
}

/** Experiment as MLflow sends it. */
export interface WireExperiment {
  experiment_id?: string;
  name?: string;
  artifact_location?: string;
  lifecycle_stage?: string;
  creation_time?: number | string;
  last_update_time?: number | string;
  tags?: WireKeyValue[];
}

/** Metric as MLflow sends it. */
export interface WireMetric {
  key?: string;
  value?: number | string;
  timestamp?: number | string;
  step?: number | string;
}

/** Run as MLflow sends it. */
export interface WireRun {
  info?: {
    run_id?: string;
    run_uuid?: string;
    experiment_id?: string;
    run_name?: string;
    user_id?: string;
    status?: string;
    start_time?: number | string;
    end_time?: number | string;
    artifact_uri?: string;
    lifecycle_stage?: string;
  };
  data?: { metrics?: WireMetric[]; params?: WireKeyValue[]; tags?: WireKeyValue[] };
  inputs?: {
    dataset_inputs?: Array<{
      tags?: WireKeyValue[];
      dataset?: {
        name?: string;
        digest?: string;
        source_type?: string;
        source?: string;
        schema?: string;
        profile?: string;
      };
    }>;
  };
}

/** Model version as MLflow sends it. */
export interface WireModelVersion {
  name?: string;
  version?: string | number;
  source?: string;
  run_id?: string;
  status?: string;
  status_message?: string;
  description?: string;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  tags?: WireKeyValue[];
  aliases?: string[];
}

/** Registered model as MLflow sends it. */
export interface WireRegisteredModel {
  name?: string;
  description?: string;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  tags?: WireKeyValue[];
  aliases?: Array<{ alias?: string; version?: string | number }>;
  latest_versions?: WireModelVersion[];
}

/** Artifact listing entry as MLflow sends it. */
export interface WireFileInfo {
  path?: string;
  is_dir?: boolean;
  file_size?: number | string;
}

function optionalNumber(value: number | string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

/** Turns MLflow's `[{key, value}]` lists into a record; later entries win, as in MLflow. */
export function toRecord(list: WireKeyValue[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const { key, value } of list ?? []) if (key !== undefined) record[key] = value ?? "";
  return record;
}

/** Turns a record into MLflow's `[{key, value}]` list. */
export function fromRecord(record: Record<string, string> | undefined): WireKeyValue[] {
  return Object.entries(record ?? {}).map(([key, value]) => ({ key, value }));
}

/** Normalises an experiment. */
export function toExperiment(wire: WireExperiment | undefined): Experiment {
  return {
    experimentId: String(wire?.experiment_id ?? ""),
    name: wire?.name ?? "",
    artifactLocation: wire?.artifact_location ?? "",
    lifecycleStage: wire?.lifecycle_stage ?? "",
    creationTime: optionalNumber(wire?.creation_time),
    lastUpdateTime: optionalNumber(wire?.last_update_time),
    tags: toRecord(wire?.tags),
  };
}

/** Normalises a metric point (`"NaN"`/`"Infinity"` strings become numbers). */
export function toMetric(wire: WireMetric): Metric {
  return {
    key: wire.key ?? "",
    value: Number(wire.value),
    timestamp: Number(wire.timestamp ?? 0),
    step: Number(wire.step ?? 0),
  };
}

/** Normalises a run. */
export function toRun(wire: WireRun | undefined): Run {
  const info = wire?.info ?? {};
  const metrics: Record<string, number> = {};
  for (const m of wire?.data?.metrics ?? [])
    if (m.key !== undefined) metrics[m.key] = Number(m.value);
  const datasetInputs: DatasetInput[] = (wire?.inputs?.dataset_inputs ?? []).map((input) => {
    const d = input.dataset ?? {};
    return {
      dataset: {
        name: d.name ?? "",
        digest: d.digest ?? "",
        sourceType: d.source_type ?? "",
        source: d.source ?? "",
        ...(d.schema !== undefined ? { schema: d.schema } : {}),
        ...(d.profile !== undefined ? { profile: d.profile } : {}),
      },
      tags: toRecord(input.tags),
    };
  });
  return {
    info: {
      runId: info.run_id ?? info.run_uuid ?? "",
      experimentId: String(info.experiment_id ?? ""),
      runName: info.run_name ?? "",
      userId: info.user_id ?? "",
      status: (info.status ?? "RUNNING") as RunStatus,
      startTime: optionalNumber(info.start_time),
      endTime: optionalNumber(info.end_time),
      artifactUri: info.artifact_uri ?? "",
      lifecycleStage: info.lifecycle_stage ?? "",
    },
    data: { metrics, params: toRecord(wire?.data?.params), tags: toRecord(wire?.data?.tags) },
    inputs: { datasetInputs },
  };
}

/** Normalises a model version. */
export function toModelVersion(wire: WireModelVersion | undefined): ModelVersion {
  return {
    name: wire?.name ?? "",
    version: String(wire?.version ?? ""),
    source: wire?.source ?? "",
    runId: wire?.run_id ?? "",
    status: (wire?.status ?? "READY") as ModelVersionStatus,
    statusMessage: wire?.status_message ?? "",
    description: wire?.description ?? "",
    creationTimestamp: optionalNumber(wire?.creation_timestamp),
    lastUpdatedTimestamp: optionalNumber(wire?.last_updated_timestamp),
    tags: toRecord(wire?.tags),
    aliases: wire?.aliases ?? [],
  };
}

/** Normalises a registered model. */
export function toRegisteredModel(wire: WireRegisteredModel | undefined): RegisteredModel {
  const aliases: Record<string, string> = {};
  for (const a of wire?.aliases ?? [])
    if (a.alias !== undefined) aliases[a.alias] = String(a.version);
  return {
    name: wire?.name ?? "",
    description: wire?.description ?? "",
    creationTimestamp: optionalNumber(wire?.creation_timestamp),
    lastUpdatedTimestamp: optionalNumber(wire?.last_updated_timestamp),
    tags: toRecord(wire?.tags),
    aliases,
    latestVersions: (wire?.latest_versions ?? []).map(toModelVersion),
  };
}

/** Normalises an artifact listing entry. */
export function toArtifactEntry(wire: WireFileInfo): ArtifactEntry {
  return {
    path: wire.path ?? "",
    isDir: wire.is_dir ?? false,
    fileSize: optionalNumber(wire.file_size),
  };
}
