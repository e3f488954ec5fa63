/**
 * `MlflowClient`: typed access to an MLflow tracking server (experiments, runs, logging,
 * artifacts, model registry), with batching and a durable spool behind every logging call.
 *
 * Logging (`logParams`, `logMetrics`, `setTags`, `logInputs`, and the buffered `enqueue*` used by
 * `ActiveRun`) goes through one per-run ordered pipeline: validate → buffer → `log-batch` within
 * MLflow's limits → if MLflow is unreachable, the spool on disk (see `spool.ts` for the exactly-once
 * guarantee). Reads and registry calls are direct and throw typed errors.
 */
import { join } from "node:path";
import { MlflowApiError, MlflowError, MlflowUnavailableError } from "./errors";
import * as artifacts from "./artifacts";
import { MlflowTransport } from "./http";
import { LogBatcher } from "./log-batcher";
import type { BatchLimits, BufferedEntry } from "./log-batcher";
import { sendOperation } from "./operations";
import type { TrackingOperation } from "./operations";
import * as registry from "./registry";
import type { RetryOptions } from "./retry";
import { Spool } from "./spool";
import type { SpoolReplayResult } from "./spool";
import type {
  ArtifactEntry,
  DatasetInput,
  Experiment,
  Metric,
  ModelVersion,
  Page,
  RegisteredModel,
  Run,
  RunInfo,
  RunStatus,
} from "./types";
import {
  assertValidExperimentName,
  assertValidInteger,
  validateDatasetInput,
  validateMetrics,
  validateParams,
  validateTags,
} from "./validation";
import { toExperiment, toMetric, toRun } from "./wire-format";
import type { WireExperiment, WireMetric, WireRun } from "./wire-format";

const BASE = "/api/2.0/mlflow";

/** Options of {@link MlflowClient}. */
export type MlflowClientOptions = {
  /** e.g. `http://127.0.0.1:5000`. */
  trackingUri: string;
  /** Retry policy for transient failures (see `retry.ts` for defaults). */
  retry?: Partial<RetryOptions>;
  /** Where undeliverable writes are spooled; default `.kiln/spool` under `process.cwd()`. */
  spoolDir?: string;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Background flush interval of buffered logging (default 1 s). */
  flushIntervalMs?: number;
  /** Override batch limits (tests); defaults are MLflow's. */
  batchLimits?: Partial<BatchLimits>;
  /** Called when a spooled write is refused for good by MLflow during replay. */
  onSpoolRejected?: (operation: TrackingOperation, error: MlflowApiError) => void;
};

/** Input of {@link MlflowClient.createRun}. */
export type CreateRunInput = {
  experimentId: string;
  runName?: string;
  tags?: Record<string, string>;
  /** Makes this a nested run (MLflow tag `mlflow.parentRunId`). */
  parentRunId?: string;
  startTime?: number;
};

/** Input of {@link MlflowClient.searchRuns}. */
export type SearchRunsInput = {
  experimentIds: string[];
  /** MLflow filter, e.g. `metrics.acc > 0.9 and params.lr = "0.01"`. */
  filter?: string;
  /** e.g. `["metrics.acc DESC", "attributes.start_time DESC"]`. */
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
  runViewType?: "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";
};

/** Options for metric logging. */
export type MetricOptions = { step?: number; timestamp?: number };

/**
 * Typed MLflow tracking client.
 *
 * @example
 * ```ts
 * const client = new MlflowClient({ trackingUri: "http://127.0.0.1:5000" });
 * const exp = await client.getOrCreateExperiment("churn");
 * const run = await client.createRun({ experimentId: exp.experimentId, runName: "baseline" });
 * await client.logMetrics(run.info.runId, { loss: 0.3 }, { step: 1 });
 * await client.updateRun(run.info.runId, { status: "FINISHED", endTime: Date.now() });
 * ```
 */
export class MlflowClient {
  readonly trackingUri: string;
  readonly spoolDir: string;
  #http: MlflowTransport;
  #batcher: LogBatcher;
  #spool: Spool;
  #started = false;
  #artifactUris = new Map<string, string>();

  constructor(options: MlflowClientOptions) {
    const opts = {
      spoolDir: join(process.cwd(), ".kiln", "spool"),
      ...options,
    } satisfies MlflowClientOptions;
    this.#http = new MlflowTransport({
      trackingUri: opts.trackingUri,
      ...(opts.retry ? { retry: opts.retry } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    });
    this.trackingUri = this.#http.trackingUri;
    this.spoolDir = opts.spoolDir;
    this.#spool = new Spool({
      dir: opts.spoolDir,
      send: (operation) => sendOperation(this.#http, operation),
      ...(opts.onSpoolRejected ? { onRejected: opts.onSpoolRejected } : {}),
    });
    this.#batcher = new LogBatcher({
      deliver: (operation) => this.#deliver(operation),
      ...(opts.flushIntervalMs !== undefined ? { flushIntervalMs: opts.flushIntervalMs } : {}),
      ...(opts.batchLimits ? { limits: opts.batchLimits } : {}),
    });
  }

  // ── experiments ──────────────────────────────────────────────────────────────────────────

  /** Returns the experiment named `name`, creating it if needed (safe when racing other creators). */
  async getOrCreateExperiment(name: string, tags?: Record<string, string>): Promise<Experiment> {
    assertValidExperimentName(name);
    const tagList = validateTags(tags ?? {});
    this.#start();
    const existing = await this.getExperimentByName(name);
    if (existing) return assertActive(existing);
    try {
      const { experiment_id } = await this.#http.json<{ experiment_id: string }>({
        method: "POST",
        path: `${BASE}/experiments/create`,
        body: { name, tags: tagList },
      });
      return await this.getExperiment(experiment_id);
    } catch (err) {
      // Someone created it between our lookup and our create.
      if (err instanceof MlflowApiError && err.errorCode === "RESOURCE_ALREADY_EXISTS") {
        const raced = await this.getExperimentByName(name);
        if (raced) return assertActive(raced);
      }
      throw err;
    }
  }

  /** Fetches an experiment by id; MlflowApiError RESOURCE_DOES_NOT_EXIST if missing. */
  async getExperiment(experimentId: string): Promise<Experiment> {
    this.#start();
    const response = await this.#http.json<{ experiment?: WireExperiment }>({
      method: "GET",
      path: `${BASE}/experiments/get`,
      params: { experiment_id: experimentId },
    });
    return toExperiment(response.experiment);
  }

  /** Fetches an experiment by name; `undefined` if there is none. */
  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    assertValidExperimentName(name);
    this.#start();
    try {
      const response = await this.#http.json<{ experiment?: WireExperiment }>({
        method: "GET",
        path: `${BASE}/experiments/get-by-name`,
        params: { experiment_name: name },
      });
      return toExperiment(response.experiment);
    } catch (err) {
      if (err instanceof MlflowApiError && err.errorCode === "RESOURCE_DOES_NOT_EXIST")
        return undefined;
      throw err;
    }
  }

  // ── runs ─────────────────────────────────────────────────────────────────────────────────

  /** Creates a run (nested when `parentRunId` is given). */
  async createRun(input: CreateRunInput): Promise<Run> {
    const tags = { ...input.tags };
    if (input.parentRunId !== undefined) tags["mlflow.parentRunId"] = input.parentRunId;
    const tagList = validateTags(tags);
    const startTime = input.startTime ?? Date.now();
    assertValidInteger("run start time", startTime);
    this.#start();
    const response = await this.#http.json<{ run?: WireRun }>({
      method: "POST",
      path: `${BASE}/runs/create`,
      body: {
        experiment_id: input.experimentId,
        start_time: startTime,
        tags: tagList,
        ...(input.runName !== undefined ? { run_name: input.runName } : {}),
      },
      // A create retried after a lost response would leave an orphan run.
      idempotent: false,
    });
    const run = toRun(response.run);
    this.#artifactUris.set(run.info.runId, run.info.artifactUri);
    return run;
  }

  /** Fetches a run with its data and inputs; MlflowApiError RESOURCE_DOES_NOT_EXIST if missing. */
  async getRun(runId: string): Promise<Run> {
    this.#start();
    const response = await this.#http.json<{ run?: WireRun }>({
      method: "GET",
      path: `${BASE}/runs/get`,
      params: { run_id: runId },
    });
    const run = toRun(response.run);
    this.#artifactUris.set(run.info.runId, run.info.artifactUri);
    return run;
  }

  /**
   * Updates status/end time/name directly (not through the buffer; use `endRun` to end a run
   * after its buffered data).
   */
  async updateRun(
    runId: string,
    update: { status?: RunStatus; endTime?: number; runName?: string },
  ): Promise<RunInfo> {
    this.#start();
    const response = await this.#http.json<{ run_info?: WireRun["info"] }>({
      method: "POST",
      path: `${BASE}/runs/update`,
      body: {
        run_id: runId,
        ...(update.status !== undefined ? { status: update.status } : {}),
        ...(update.endTime !== undefined ? { end_time: update.endTime } : {}),
        ...(update.runName !== undefined ? { run_name: update.runName } : {}),
      },
    });
    return toRun({ info: response.run_info }).info;
  }

  /**
   * Ends a run after everything logged for it so far: flushes its buffer, then sets status and
   * end time through the same ordered pipeline (spooled if MLflow is unreachable).
   */
  async endRun(runId: string, status: RunStatus = "FINISHED", endTime = Date.now()): Promise<void> {
    this.enqueue(runId, [
      { kind: "operation", operation: { op: "update-run", runId, status, endTime } },
    ]);
    await this.flush(runId);
  }

  /** One page of runs matching a filter. */
  async searchRuns(input: SearchRunsInput): Promise<Page<Run>> {
    this.#start();
    const response = await this.#http.json<{ runs?: WireRun[]; next_page_token?: string }>({
      method: "POST",
      path: `${BASE}/runs/search`,
      body: {
        experiment_ids: input.experimentIds,
        filter: input.filter ?? "",
        order_by: input.orderBy ?? [],
        max_results: input.maxResults ?? 1000,
        run_view_type: input.runViewType ?? "ACTIVE_ONLY",
        ...(input.pageToken ? { page_token: input.pageToken } : {}),
      },
    });
    return {
      items: (response.runs ?? []).map(toRun),
      nextPageToken: response.next_page_token || undefined,
    };
  }

  /** Every point of one metric of a run (all pages). */
  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    this.#start();
    const points: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const response: { metrics?: WireMetric[]; next_page_token?: string } = await this.#http.json({
        method: "GET",
        path: `${BASE}/metrics/get-history`,
        params: { run_id: runId, metric_key: key, max_results: 25_000, page_token: pageToken },
      });
      points.push(...(response.metrics ?? []).map(toMetric));
      pageToken = response.next_page_token || undefined;
    } while (pageToken);
    return points;
  }

  // ── logging: immediate (resolve when acknowledged or spooled) ─────────────────────────────

  /** Logs one param now. Throws MlflowValidationError before sending anything if invalid. */
  async logParam(runId: string, key: string, value: string | number | boolean): Promise<void> {
    await this.logParams(runId, { [key]: value });
  }

  /** Logs params now (split into requests of ≤ 100). Validates all of them first. */
  async logParams(runId: string, params: Record<string, string | number | boolean>): Promise<void> {
    this.enqueueParams(runId, params);
    await this.flush(runId);
  }

  /** Logs one metric now. */
  async logMetric(
    runId: string,
    key: string,
    value: number,
    options?: MetricOptions,
  ): Promise<void> {
    await this.logMetrics(runId, { [key]: value }, options);
  }

  /** Logs metrics now (split into requests of ≤ 1000), all with the same step and timestamp. */
  async logMetrics(
    runId: string,
    metrics: Record<string, number>,
    options?: MetricOptions,
  ): Promise<void> {
    this.enqueueMetrics(runId, metrics, options);
    await this.flush(runId);
  }

  /** Sets one tag now. */
  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.setTags(runId, { [key]: value });
  }

  /** Sets tags now (split into requests of ≤ 100). */
  async setTags(runId: string, tags: Record<string, string>): Promise<void> {
    this.enqueueTags(runId, tags);
    await this.flush(runId);
  }

  /** Records dataset inputs of a run (`runs/log-inputs`). */
  async logInputs(runId: string, inputs: DatasetInput[]): Promise<void> {
    this.enqueueInputs(runId, inputs);
    await this.flush(runId);
  }

  // ── logging: buffered (return at once; `flush` to wait) ──────────────────────────────────

  /** Validates and buffers params; throws MlflowValidationError with nothing buffered if any is bad. */
  enqueueParams(runId: string, params: Record<string, unknown>): void {
    const records = validateParams(params, this.#batcher.loggedParams(runId));
    this.enqueue(
      runId,
      records.map((record) => ({ kind: "param", record })),
    );
  }

  /** Validates and buffers metrics (default step 0, timestamp now). */
  enqueueMetrics(runId: string, metrics: Record<string, unknown>, options?: MetricOptions): void {
    const records = validateMetrics(metrics, options?.step ?? 0, options?.timestamp ?? Date.now());
    this.enqueue(
      runId,
      records.map((record) => ({ kind: "metric", record })),
    );
  }

  /** Validates and buffers tags. */
  enqueueTags(runId: string, tags: Record<string, unknown>): void {
    const records = validateTags(tags);
    this.enqueue(
      runId,
      records.map((record) => ({ kind: "tag", record })),
    );
  }

  /** Validates and buffers dataset inputs (sent in order with the run's other writes). */
  enqueueInputs(runId: string, inputs: DatasetInput[]): void {
    inputs.forEach(validateDatasetInput);
    const datasets = inputs.map((input) => ({
      dataset: { ...input.dataset },
      tags: { ...input.tags },
    }));
    this.enqueue(runId, [{ kind: "operation", operation: { op: "log-inputs", runId, datasets } }]);
  }

  /** Buffers already-validated entries (low level; prefer the `enqueue*` methods). */
  enqueue(runId: string, entries: BufferedEntry[]): void {
    this.#start();
    this.#batcher.add(runId, entries);
  }

  /**
   * Resolves when everything logged so far (for `runId`, or all runs) is acknowledged by MLflow
   * or safely spooled. Rejects with MlflowApiError if MLflow refused part of it.
   */
  async flush(runId?: string): Promise<void> {
    await this.#batcher.flush(runId);
  }

  // ── artifacts ────────────────────────────────────────────────────────────────────────────

  /** Uploads a file under the run's artifacts (into directory `artifactDir`); returns its path. */
  async logArtifact(runId: string, localPath: string, artifactDir?: string): Promise<string> {
    return artifacts.uploadFile(this.#http, await this.#artifactUri(runId), localPath, artifactDir);
  }

  /** Uploads a directory recursively (into `artifactDir`); returns the artifact paths. */
  async logArtifacts(runId: string, localDir: string, artifactDir?: string): Promise<string[]> {
    return artifacts.uploadDirectory(
      this.#http,
      await this.#artifactUri(runId),
      localDir,
      artifactDir,
    );
  }

  /** Lists one level of a run's artifacts. */
  async listArtifacts(runId: string, path?: string): Promise<ArtifactEntry[]> {
    this.#start();
    return artifacts.listArtifacts(this.#http, runId, path);
  }

  /** Downloads one artifact file to `destPath`. */
  async downloadArtifact(runId: string, artifactPath: string, destPath: string): Promise<void> {
    await artifacts.downloadFile(
      this.#http,
      await this.#artifactUri(runId),
      artifactPath,
      destPath,
    );
  }

  /** Downloads an artifact directory recursively into `destDir`; returns the local paths. */
  async downloadArtifacts(runId: string, artifactDir: string, destDir: string): Promise<string[]> {
    const uri = await this.#artifactUri(runId);
    return artifacts.downloadDirectory(this.#http, runId, uri, artifactDir, destDir);
  }

  // ── registry ─────────────────────────────────────────────────────────────────────────────

  /** Get-or-create a registered model. */
  createRegisteredModel(input: registry.CreateRegisteredModelInput): Promise<RegisteredModel> {
    this.#start();
    return registry.createRegisteredModel(this.#http, input);
  }

  /** Fetches a registered model. */
  getRegisteredModel(name: string): Promise<RegisteredModel> {
    this.#start();
    return registry.getRegisteredModel(this.#http, name);
  }

  /** One page of registered models. */
  searchRegisteredModels(
    input?: registry.SearchRegisteredModelsInput,
  ): Promise<Page<RegisteredModel>> {
    this.#start();
    return registry.searchRegisteredModels(this.#http, input);
  }

  /** One page of model versions, e.g. those logged by some runs (`run_id IN ('a', 'b')`). */
  searchModelVersions(input?: registry.SearchModelVersionsInput): Promise<Page<ModelVersion>> {
    this.#start();
    return registry.searchModelVersions(this.#http, input);
  }

  /** Registers a version and waits until it is READY. */
  createModelVersion(input: registry.CreateModelVersionInput): Promise<ModelVersion> {
    this.#start();
    return registry.createModelVersion(this.#http, input);
  }

  /** Fetches one model version. */
  getModelVersion(name: string, version: string): Promise<ModelVersion> {
    this.#start();
    return registry.getModelVersion(this.#http, name, version);
  }

  /** Sets a tag on a model version. */
  setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    this.#start();
    return registry.setModelVersionTag(this.#http, name, version, key, value);
  }

  /** Sets a tag on a registered model. */
  setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    this.#start();
    return registry.setRegisteredModelTag(this.#http, name, key, value);
  }

  /** Points an alias (e.g. `champion`) at a version. */
  setAlias(name: string, alias: string, version: string): Promise<void> {
    this.#start();
    return registry.setAlias(this.#http, name, alias, version);
  }

  /** Resolves an alias to its model version. */
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    this.#start();
    return registry.getModelVersionByAlias(this.#http, name, alias);
  }

  /** Removes an alias. */
  deleteAlias(name: string, alias: string): Promise<void> {
    this.#start();
    return registry.deleteAlias(this.#http, name, alias);
  }

  // ── spool and lifecycle ──────────────────────────────────────────────────────────────────

  /**
   * Sends spooled writes (from this or an earlier process) in order; see `spool.ts` for the
   * exactly-once guarantee. Returns `skipped: "locked"` if another client is replaying.
   */
  replaySpool(): Promise<SpoolReplayResult> {
    this.#started = true;
    return this.#spool.replay();
  }

  /** Flushes everything and stops background timers. Spooled data stays on disk for later. */
  async close(): Promise<void> {
    try {
      await this.#batcher.close();
    } finally {
      this.#spool.close();
    }
  }

  // First use of a client replays what earlier processes spooled, in the background.
  #start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#spool.scheduleReplay(0);
  }

  async #deliver(operation: TrackingOperation): Promise<void> {
    // Once something is spooled, later writes queue behind it so replay keeps their order.
    if (await this.#spool.hasPending()) {
      await this.#spool.append(operation);
      return;
    }
    try {
      await sendOperation(this.#http, operation);
    } catch (err) {
      if (!(err instanceof MlflowUnavailableError)) throw err;
      await this.#spool.append(operation);
    }
  }

  async #artifactUri(runId: string): Promise<string> {
    const known = this.#artifactUris.get(runId);
    if (known !== undefined) return known;
    return (await this.getRun(runId)).info.artifactUri;
  }
}

function assertActive(experiment: Experiment): Experiment {
  if (experiment.lifecycleStage === "deleted") {
    throw new MlflowError(
      `Experiment "${experiment.name}" (id ${experiment.experimentId}) exists but is deleted, so runs cannot be logged to it. ` +
        "Restore it (mlflow experiments restore --experiment-id ...) or use another name.",
    );
  }
  return experiment;
}
