/**
 * The notebook-friendly face of tracking: `startRun` returns an `ActiveRun` whose logging calls
 * validate and buffer synchronously (a training loop never waits on the network), and whose
 * `end()` flushes and closes the run.
 *
 * @example
 * ```ts
 * const run = await startRun({ experiment: "churn", runName: "baseline" });
 * run.logParams({ lr: 0.01, epochs: 10 });
 * for (let epoch = 0; epoch < 10; epoch++) run.logMetric("loss", losses[epoch], epoch);
 * await run.logArtifact("model/model.json", "model");
 * await run.end();
 * ```
 */
import { MlflowClient } from "./client";
import type { MlflowClientOptions } from "./client";
import { MlflowValidationError } from "./errors";
import type { DatasetInput, RunInfo, RunStatus } from "./types";

/** Options of {@link startRun}. */
export type StartRunOptions = {
  /** Experiment name; created if it does not exist. */
  experiment: string;
  runName?: string;
  tags?: Record<string, string>;
  /** Parent run (or its id) to nest this run under. */
  parent?: ActiveRun | string;
  /** Default: env `MLFLOW_TRACKING_URI`. */
  trackingUri?: string;
  /** Use this client instead of a shared one for `trackingUri`. */
  client?: MlflowClient;
  /** Further client options when a client is created here. */
  clientOptions?: Omit<MlflowClientOptions, "trackingUri">;
};

const sharedClients = new Map<string, MlflowClient>();

// One client per tracking URI in a notebook, so all runs share one batcher and one spool.
function clientFor(options: StartRunOptions): MlflowClient {
  if (options.client) return options.client;
  const trackingUri = options.trackingUri ?? process.env["MLFLOW_TRACKING_URI"];
  if (!trackingUri) {
    throw new MlflowValidationError({
      field: "tracking URI",
      problem:
        "neither the trackingUri option nor the MLFLOW_TRACKING_URI environment variable is set",
      allowed: "an http(s) URL of an MLflow tracking server",
      fix: 'pass startRun({ trackingUri: "http://127.0.0.1:5000", ... }) or set MLFLOW_TRACKING_URI',
    });
  }
  const key = JSON.stringify([trackingUri, options.clientOptions ?? {}]);
  let client = sharedClients.get(key);
  if (!client) {
    client = new MlflowClient({ ...options.clientOptions, trackingUri });
    sharedClients.set(key, client);
  }
  return client;
}

/**
 * Starts a run in `experiment` (created if needed) and returns its handle.
 *
 * @example
 * ```ts
 * const run = await startRun({ experiment: "churn", trackingUri: "http://127.0.0.1:5000" });
 * ```
 */
export async function startRun(options: StartRunOptions): Promise<ActiveRun> {
  const client = clientFor(options);
  const experiment = await client.getOrCreateExperiment(options.experiment);
  const parentRunId = typeof options.parent === "string" ? options.parent : options.parent?.id;
  const run = await client.createRun({
    experimentId: experiment.experimentId,
    ...(options.runName !== undefined ? { runName: options.runName } : {}),
    ...(options.tags ? { tags: options.tags } : {}),
    ...(parentRunId !== undefined ? { parentRunId } : {}),
  });
  return new ActiveRun(client, run.info);
}

/**
 * A run being logged to. Logging methods validate synchronously (throwing
 * MlflowValidationError with nothing buffered) and return at once; `flush()` waits for delivery.
 *
 * @example
 * ```ts
 * run.logMetrics({ loss: 0.31, acc: 0.88 }, step);
 * const child = await run.startChild("fold-1");
 * await child.end();
 * await run.end();
 * ```
 */
export class ActiveRun {
  readonly id: string;
  readonly experimentId: string;
  readonly info: RunInfo;
  readonly client: MlflowClient;
  #ended = false;

  constructor(client: MlflowClient, info: RunInfo) {
    this.client = client;
    this.info = info;
    this.id = info.runId;
    this.experimentId = info.experimentId;
  }

  /** Buffers params (strings, numbers or booleans); a param cannot change value within a run. */
  logParams(params: Record<string, string | number | boolean>): void {
    this.client.enqueueParams(this.id, params);
  }

  /** Buffers one param. */
  logParam(key: string, value: string | number | boolean): void {
    this.logParams({ [key]: value });
  }

  /** Buffers one metric point (step defaults to 0, as in MLflow). */
  logMetric(key: string, value: number, step?: number): void {
    this.logMetrics({ [key]: value }, step);
  }

  /** Buffers several metrics at one step and timestamp. */
  logMetrics(metrics: Record<string, number>, step?: number): void {
    this.client.enqueueMetrics(this.id, metrics, step === undefined ? undefined : { step });
  }

  /** Buffers one tag. */
  setTag(key: string, value: string): void {
    this.setTags({ [key]: value });
  }

  /** Buffers tags. */
  setTags(tags: Record<string, string>): void {
    this.client.enqueueTags(this.id, tags);
  }

  /** Buffers dataset inputs, e.g. `{ dataset: {...}, tags: { "mlflow.data.context": "training" } }`. */
  logInputs(inputs: DatasetInput | DatasetInput[]): void {
    this.client.enqueueInputs(this.id, Array.isArray(inputs) ? inputs : [inputs]);
  }

  /** Uploads a file into the run's artifacts (into directory `artifactDir`). */
  logArtifact(localPath: string, artifactDir?: string): Promise<string> {
    return this.client.logArtifact(this.id, localPath, artifactDir);
  }

  /** Uploads a directory recursively into the run's artifacts. */
  logArtifacts(localDir: string, artifactDir?: string): Promise<string[]> {
    return this.client.logArtifacts(this.id, localDir, artifactDir);
  }

  /** Starts a nested run in the same experiment. */
  async startChild(name: string, tags?: Record<string, string>): Promise<ActiveRun> {
    const run = await this.client.createRun({
      experimentId: this.experimentId,
      runName: name,
      parentRunId: this.id,
      ...(tags ? { tags } : {}),
    });
    return new ActiveRun(this.client, run.info);
  }

  /** Resolves when everything logged so far is acknowledged or spooled. */
  flush(): Promise<void> {
    return this.client.flush(this.id);
  }

  /**
   * Flushes, then sets the status and end time (queued behind the run's data, and spooled if
   * MLflow is down). Calling it again does nothing.
   */
  async end(status: RunStatus = "FINISHED"): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    await this.client.endRun(this.id, status);
  }
}
