/**
 * The typed objects the client returns. MLflow omits empty fields and sends ids and model versions
 * as strings; these types are the normalised form (empty records/arrays, never `undefined` lists).
 *
 * @example
 * ```ts
 * const run: Run = await client.getRun(id);
 * run.data.params.lr; // "0.01"
 * ```
 */

/** Lifecycle status of a run. */
export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";

/** An MLflow experiment. `experimentId` is a string, as MLflow sends it. */
export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: string;
  creationTime: number | undefined;
  lastUpdateTime: number | undefined;
  tags: Record<string, string>;
}

/** Run metadata. `endTime` is undefined while the run is running. */
export interface RunInfo {
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  status: RunStatus;
  startTime: number | undefined;
  endTime: number | undefined;
  /** e.g. `mlflow-artifacts:/1/<runId>/artifacts` */
  artifactUri: string;
  lifecycleStage: string;
}

/** One metric point. */
export interface Metric {
  key: string;
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  step: number;
}

/** Run data: the latest value of each metric, params and tags as records. */
export interface RunData {
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: Record<string, string>;
}

/** A dataset as `runs/log-inputs` records it (`source`, `schema`, `profile` are JSON strings). */
export interface Dataset {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema?: string;
  profile?: string;
}

/** A dataset used by a run, with input tags such as `mlflow.data.context = "training"`. */
export interface DatasetInput {
  dataset: Dataset;
  tags?: Record<string, string>;
}

/** A run with its data and dataset inputs. */
export interface Run {
  info: RunInfo;
  data: RunData;
  inputs: { datasetInputs: DatasetInput[] };
}

/** One page of a search. `nextPageToken` is undefined on the last page. */
export interface Page<T> {
  items: T[];
  nextPageToken: string | undefined;
}

/** An entry of a run's artifact listing. */
export interface ArtifactEntry {
  /** Path relative to the run's artifact root, e.g. `plots/roc.png`. */
  path: string;
  isDir: boolean;
  fileSize: number | undefined;
}

/** Status of a model version; `createModelVersion` waits for `READY`. */
export type ModelVersionStatus = "PENDING_REGISTRATION" | "FAILED_REGISTRATION" | "READY";

/** A registered model version. `version` is a string, as MLflow sends it. */
export interface ModelVersion {
  name: string;
  version: string;
  source: string;
  runId: string;
  status: ModelVersionStatus;
  statusMessage: string;
  description: string;
  creationTimestamp: number | undefined;
  lastUpdatedTimestamp: number | undefined;
  tags: Record<string, string>;
  aliases: string[];
}

/** A registered model; `aliases` maps alias → version. */
export interface RegisteredModel {
  name: string;
  description: string;
  creationTimestamp: number | undefined;
  lastUpdatedTimestamp: number | undefined;
  tags: Record<string, string>;
  aliases: Record<string, string>;
  latestVersions: ModelVersion[];
}

/** A metric as buffered and sent in `log-batch`. */
export interface MetricRecord {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** A param as buffered and sent (value already in MLflow's string form). */
export interface ParamRecord {
  key: string;
  value: string;
}

/** A tag as buffered and sent. */
export interface TagRecord {
  key: string;
  value: string;
}
