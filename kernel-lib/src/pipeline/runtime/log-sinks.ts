/**
 * Where `kiln.log.*` goes. Three sinks, picked once per process by {@link chooseLogSink}:
 * - a step of a pipeline run logs to its nested MLflow run (from the step context);
 * - a notebook with `MLFLOW_TRACKING_URI` logs to a lazily started interactive run;
 * - a notebook without it keeps everything in memory, after one warning line.
 * Tracking trouble in a notebook is reported once and never thrown: a lost metric must not
 * cost a user their kernel state.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { io } from "@tensorflow/tfjs";
import { MlflowClient } from "../../mlflow/client";
import { MlflowValidationError } from "../../mlflow/errors";
import { startRun, type ActiveRun } from "../../mlflow/run";
import type { DatasetInput } from "../../mlflow/types";
import { validateDatasetInput, validateMetrics, validateParams } from "../../mlflow/validation";
import {
  bundleLineage,
  registerBundle,
  transformSource,
  writeBundle,
  type BundleFallback,
  type BundleOnlineFeatures,
  type ModelTask,
  type BundleManifest,
  type BundleModel,
  type DatasetRef,
  type InputRow,
  type InputSchema,
  type InputSchemaInit,
  type TransformOption,
} from "../../serving/bundle";
import type { PipelineSpec } from "../../spec";
import { fileModelHandler } from "../../tf/file-io";
import type { StepTrackingContext } from "./context";

/** Anything with tfjs' `save(handler)`, e.g. a `tf.LayersModel`. */
export interface SavableModel {
  save(handler: io.IOHandler): Promise<io.SaveResult>;
}

/** Options of a model bundle (`kiln.log.model` with an `inputSchema`). */
export type ModelBundleOptions = {
  /** Registered model name and artifact directory `models/<name>/`. */
  name: string;
  /** Features of a request row: names, dtypes, valid ranges, required flags. */
  inputSchema: InputSchemaInit | InputSchema;
  /** Feature transform serving runs before the model (see `TransformOption`). */
  transform?: TransformOption;
  /** Sample of the training data; its statistics go to `reference.json`. */
  reference?: readonly InputRow[];
  /** A model on core features, for rows whose required features are missing or invalid. */
  fallback?: BundleFallback;
  /** Schema features serving looks up by entity key in a feature view instead of receiving. */
  onlineFeatures?: BundleOnlineFeatures;
  /** `regression`, `classification` or `anomaly`: which performance metrics monitoring reports. */
  task?: ModelTask;
  /** Training data lineage: tags `kiln.dataset.table` / `kiln.dataset.version`. */
  dataset?: DatasetRef;
};

/** What logging a model bundle resolves with. */
export type LoggedModelBundle = {
  /** `<run artifact URI>/models/<name>` (a `file://` URI when nothing is tracked). */
  artifactUri: string;
  /** Undefined when nothing is tracked (the bundle is only saved locally). */
  registeredModel: string | undefined;
  version: string | undefined;
  manifest: BundleManifest;
};

/** What was logged, as kept in memory (always, so tests and notebooks can look back). */
export interface RecordedLogs {
  params: Record<string, string>;
  metrics: { key: string; value: number; step: number; timestamp: number }[];
  models: { name: string; uri: string; version?: string }[];
  /** Dataset inputs (e.g. lake tables read with `kiln.data.read`). */
  datasets: DatasetInput[];
}

/** One destination of `kiln.log.*`. Calls validate synchronously and throw on bad input. */
export interface LogSink {
  metrics(metrics: Record<string, number>, step: number | undefined): void;
  params(params: Record<string, string | number | boolean>): void;
  /** Records datasets the run read (MLflow `log-inputs`). */
  datasets(inputs: DatasetInput[]): void;
  model(model: SavableModel, name: string): Promise<string>;
  /** Saves, uploads and registers a model bundle. */
  modelBundle(model: BundleModel, options: ModelBundleOptions): Promise<LoggedModelBundle>;
  flush(): Promise<void>;
  /** Flushes and releases timers; the step harness calls it before the process exits. */
  close(): Promise<void>;
  readonly recorded: RecordedLogs;
}

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Throws MlflowValidationError unless `name` is a safe single path segment. */
export function assertValidModelArtifactName(name: unknown): asserts name is string {
  if (typeof name === "string" && MODEL_NAME.test(name) && !name.includes("..")) return;
  throw new MlflowValidationError({
    field: "model name",
    problem: `${JSON.stringify(name)} is not a plain name`,
    allowed: 'letters, digits, ".", "_" and "-" (≤ 128 chars, starting with a letter or digit)',
    fix: 'pass kiln.log.model(model, { name: "classifier" })',
  });
}

// Validation is shared by all sinks so a bad key fails the same way in a notebook and a step.
abstract class RecordingSink implements LogSink {
  readonly recorded: RecordedLogs = { params: {}, metrics: [], models: [], datasets: [] };

  metrics(metrics: Record<string, number>, step: number | undefined): void {
    const records = validateMetrics(metrics, step ?? 0, Date.now());
    this.recorded.metrics.push(...records);
    this.deliverMetrics(metrics, step);
  }

  params(params: Record<string, string | number | boolean>): void {
    const records = validateParams(params, new Map(Object.entries(this.recorded.params)));
    for (const { key, value } of records) this.recorded.params[key] = value;
    this.deliverParams(params);
  }

  datasets(inputs: DatasetInput[]): void {
    inputs.forEach(validateDatasetInput);
    this.recorded.datasets.push(...inputs);
    this.deliverDatasets(inputs);
  }

  async model(model: SavableModel, name: string): Promise<string> {
    assertValidModelArtifactName(name);
    const uri = await this.deliverModel(model, name);
    this.recorded.models.push({ name, uri });
    return uri;
  }

  async modelBundle(model: BundleModel, options: ModelBundleOptions): Promise<LoggedModelBundle> {
    assertValidModelArtifactName(options.name);
    const logged = await this.deliverBundle(model, options);
    this.recorded.models.push({
      name: options.name,
      uri: logged.artifactUri,
      ...(logged.version ? { version: logged.version } : {}),
    });
    return logged;
  }

  abstract flush(): Promise<void>;

  close(): Promise<void> {
    return this.flush();
  }

  protected abstract deliverMetrics(m: Record<string, number>, step: number | undefined): void;
  protected abstract deliverParams(p: Record<string, string | number | boolean>): void;
  protected abstract deliverDatasets(inputs: DatasetInput[]): void;
  protected abstract deliverModel(model: SavableModel, name: string): Promise<string>;
  protected abstract deliverBundle(
    model: BundleModel,
    options: ModelBundleOptions,
  ): Promise<LoggedModelBundle>;
}

/** Saves a model in the tfjs format into a temporary directory, uploads it, cleans up. */
async function uploadModel(
  model: SavableModel,
  upload: (dir: string) => Promise<unknown>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "kiln-model-"));
  try {
    await model.save(fileModelHandler(dir));
    await upload(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Where a bundle goes and what is known about where it came from. */
type BundleTarget = {
  client: MlflowClient;
  runId: string;
  artifactUri: string;
  pipeline?: { name?: string; version?: string; runId?: string; spec?: PipelineSpec };
};

/** Writes the bundle to a temporary directory, uploads it, registers a version, cleans up. */
async function uploadBundle(
  model: BundleModel,
  options: ModelBundleOptions,
  target: BundleTarget,
): Promise<LoggedModelBundle> {
  const artifactPath = await unusedArtifactPath(target.client, target.runId, options.name);
  const lineage = bundleLineage({
    runId: target.runId,
    pipeline: target.pipeline?.name,
    pipelineVersion: target.pipeline?.version,
    pipelineRunId: target.pipeline?.runId,
    dataset: options.dataset,
  });
  const dir = await mkdtemp(join(tmpdir(), "kiln-bundle-"));
  try {
    const manifest = await writeBundle(dir, {
      ...bundleContent(model, options, target.pipeline?.spec),
      artifactPath,
      runId: target.runId,
      mlflowVersion: await serverVersion(target.client.trackingUri),
      lineage,
    });
    await target.client.logArtifacts(target.runId, dir, artifactPath);
    const artifactUri = `${target.artifactUri}/${artifactPath}`;
    const version = await registerBundle(target.client, {
      name: options.name,
      source: artifactUri,
      runId: target.runId,
      lineage,
    });
    return { artifactUri, registeredModel: version.name, version: version.version, manifest };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `models/<name>`, or `models/<name>-2`, `-3`, … when the run already has it: a model logged twice
 * in one run (a notebook cell run again) must not overwrite the files of the version registered
 * first, which would break that version's checksums.
 */
async function unusedArtifactPath(
  client: MlflowClient,
  runId: string,
  name: string,
): Promise<string> {
  const taken = new Set((await client.listArtifacts(runId, "models")).map((entry) => entry.path));
  for (let n = 1; ; n++) {
    const path = n === 1 ? `models/${name}` : `models/${name}-${n}`;
    if (!taken.has(path)) return path;
  }
}

function bundleContent(model: BundleModel, options: ModelBundleOptions, spec?: PipelineSpec) {
  return {
    name: options.name,
    model,
    inputSchema: options.inputSchema,
    ...(options.transform
      ? { transform: transformSource(options.transform, spec?.transforms) }
      : {}),
    ...(options.reference ? { reference: options.reference } : {}),
    ...(options.fallback ? { fallback: options.fallback } : {}),
    ...(options.onlineFeatures ? { onlineFeatures: options.onlineFeatures } : {}),
    ...(options.task ? { task: options.task } : {}),
  };
}

/** A bundle saved under `.kiln/models/<name>` when nothing is tracked (not registered). */
async function saveBundleLocally(
  model: BundleModel,
  options: ModelBundleOptions,
): Promise<LoggedModelBundle> {
  const dir = resolve(".kiln", "models", options.name);
  await rm(dir, { recursive: true, force: true });
  const manifest = await writeBundle(dir, {
    ...bundleContent(model, options),
    artifactPath: `models/${options.name}`,
  });
  return {
    artifactUri: pathToFileURL(dir).href,
    registeredModel: undefined,
    version: undefined,
    manifest,
  };
}

// MLmodel records an MLflow version; ours is the server's. Best effort: a bundle without it is fine.
async function serverVersion(trackingUri: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${trackingUri.replace(/\/+$/, "")}/version`, {
      signal: AbortSignal.timeout(5_000),
    });
    return response.ok ? (await response.text()).trim() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a step knows about its pipeline: the step context has no spec, so read the parent run
 * (tags `kiln.pipeline*`, `kiln.run_id`, artifact `pipeline/spec.json`). A step run started by
 * run-step-cli without a parent carries `kiln.pipeline` itself. Missing facts stay undefined.
 */
async function stepPipelineFacts(
  client: MlflowClient,
  stepRunId: string,
): Promise<NonNullable<BundleTarget["pipeline"]>> {
  const step = await client.getRun(stepRunId);
  const parentId = step.data.tags["mlflow.parentRunId"];
  const owner = parentId ? await client.getRun(parentId) : step;
  const tags = owner.data.tags;
  let spec: PipelineSpec | undefined;
  if (parentId) {
    const dir = await mkdtemp(join(tmpdir(), "kiln-spec-"));
    try {
      await client.downloadArtifact(parentId, "pipeline/spec.json", join(dir, "spec.json"));
      spec = JSON.parse(await readFile(join(dir, "spec.json"), "utf8")) as PipelineSpec;
    } catch {
      // Without the spec only `transform: { entry }` fails, with its own message.
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return {
    ...(tags["kiln.pipeline"] ? { name: tags["kiln.pipeline"] } : {}),
    ...(tags["kiln.pipeline.version"] ? { version: tags["kiln.pipeline.version"] } : {}),
    ...(parentId && tags["kiln.run_id"] ? { runId: tags["kiln.run_id"] } : {}),
    ...(spec ? { spec } : {}),
  };
}

/** A step's nested run: created by the executor, ended by it after the step process exits. */
export class StepRunSink extends RecordingSink {
  readonly #client: MlflowClient;
  readonly #tracking: StepTrackingContext;

  constructor(tracking: StepTrackingContext) {
    super();
    this.#tracking = tracking;
    this.#client = new MlflowClient({
      trackingUri: tracking.trackingUri,
      spoolDir: tracking.spoolDir,
    });
  }

  protected deliverMetrics(metrics: Record<string, number>, step: number | undefined): void {
    this.#client.enqueueMetrics(this.#tracking.runId, metrics, step === undefined ? {} : { step });
  }

  protected deliverParams(params: Record<string, string | number | boolean>): void {
    this.#client.enqueueParams(this.#tracking.runId, params);
  }

  protected deliverDatasets(inputs: DatasetInput[]): void {
    this.#client.enqueueInputs(this.#tracking.runId, inputs);
  }

  protected async deliverModel(model: SavableModel, name: string): Promise<string> {
    const artifactDir = `models/${name}`;
    await uploadModel(model, (dir) =>
      this.#client.logArtifacts(this.#tracking.runId, dir, artifactDir),
    );
    return `${this.#tracking.artifactUri}/${artifactDir}`;
  }

  protected async deliverBundle(
    model: BundleModel,
    options: ModelBundleOptions,
  ): Promise<LoggedModelBundle> {
    return uploadBundle(model, options, {
      client: this.#client,
      runId: this.#tracking.runId,
      artifactUri: this.#tracking.artifactUri,
      pipeline: await stepPipelineFacts(this.#client, this.#tracking.runId),
    });
  }

  async flush(): Promise<void> {
    await this.#client.flush();
  }

  override async close(): Promise<void> {
    await this.#client.close();
  }
}

/** A notebook with MLFLOW_TRACKING_URI: one run per kernel, started on first use. */
export class InteractiveRunSink extends RecordingSink {
  readonly #experiment: string;
  readonly #trackingUri: string;
  readonly #warn: (line: string) => void;
  #run: Promise<ActiveRun | undefined> | undefined;
  #warned = false;

  constructor(options: { experiment: string; trackingUri: string; warn: (line: string) => void }) {
    super();
    this.#experiment = options.experiment;
    this.#trackingUri = options.trackingUri;
    this.#warn = options.warn;
  }

  protected deliverMetrics(metrics: Record<string, number>, step: number | undefined): void {
    void this.#withRun((run) => run.logMetrics(metrics, step));
  }

  protected deliverParams(params: Record<string, string | number | boolean>): void {
    void this.#withRun((run) => run.logParams(params));
  }

  protected deliverDatasets(inputs: DatasetInput[]): void {
    void this.#withRun((run) => run.logInputs(inputs));
  }

  protected async deliverModel(model: SavableModel, name: string): Promise<string> {
    const run = await this.#runOrUndefined();
    if (!run) return saveModelLocally(model, name);
    const artifactDir = `models/${name}`;
    await uploadModel(model, (dir) => run.logArtifacts(dir, artifactDir));
    return `${run.info.artifactUri}/${artifactDir}`;
  }

  // Unlike metrics, a failed bundle upload or registration throws: the caller asked for a
  // registered version and must not go on believing it has one.
  protected async deliverBundle(
    model: BundleModel,
    options: ModelBundleOptions,
  ): Promise<LoggedModelBundle> {
    const run = await this.#runOrUndefined();
    if (!run) return saveBundleLocally(model, options);
    return uploadBundle(model, options, {
      client: run.client,
      runId: run.id,
      artifactUri: run.info.artifactUri,
    });
  }

  async flush(): Promise<void> {
    await this.#withRun((run) => run.flush());
  }

  #runOrUndefined(): Promise<ActiveRun | undefined> {
    this.#run ??= startRun({
      experiment: this.#experiment,
      trackingUri: this.#trackingUri,
      tags: { "kiln.interactive": "true" },
    }).catch((error: unknown) => {
      this.#warnOnce(`could not start an MLflow run (${(error as Error).message})`);
      return undefined;
    });
    return this.#run;
  }

  async #withRun(action: (run: ActiveRun) => unknown): Promise<void> {
    const run = await this.#runOrUndefined();
    if (!run) return;
    try {
      await action(run);
    } catch (error) {
      this.#warnOnce(`logging to MLflow failed (${(error as Error).message})`);
    }
  }

  #warnOnce(problem: string): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#warn(
      `kiln.log: ${problem}; values are kept in memory (kiln.log.recorded()) and the notebook goes on.`,
    );
  }
}

/** A notebook without MLFLOW_TRACKING_URI: values stay in memory; models are saved locally. */
export class MemorySink extends RecordingSink {
  protected deliverMetrics(): void {}
  protected deliverParams(): void {}
  protected deliverDatasets(): void {}
  protected deliverModel(model: SavableModel, name: string): Promise<string> {
    return saveModelLocally(model, name);
  }
  protected deliverBundle(
    model: BundleModel,
    options: ModelBundleOptions,
  ): Promise<LoggedModelBundle> {
    return saveBundleLocally(model, options);
  }
  async flush(): Promise<void> {}
}

async function saveModelLocally(model: SavableModel, name: string): Promise<string> {
  const dir = resolve(".kiln", "models", name);
  await model.save(fileModelHandler(dir));
  return pathToFileURL(dir).href;
}

/**
 * The sink for this process: the step's nested run, an interactive run, or memory (warning once).
 *
 * @example
 * ```ts
 * const sink = chooseLogSink({ step: stepContext(), env: process.env, warn: console.warn });
 * ```
 */
export function chooseLogSink(options: {
  tracking: StepTrackingContext | undefined;
  env: NodeJS.ProcessEnv;
  warn: (line: string) => void;
}): LogSink {
  if (options.tracking) return new StepRunSink(options.tracking);
  const trackingUri = options.env["MLFLOW_TRACKING_URI"];
  if (trackingUri) {
    return new InteractiveRunSink({
      experiment: options.env["KILN_EXPERIMENT"] || "notebook-interactive",
      trackingUri,
      warn: options.warn,
    });
  }
  options.warn(
    "kiln.log: MLFLOW_TRACKING_URI is not set, so metrics, params and models are not tracked; " +
      "they are kept in memory (kiln.log.recorded()). Set it (npm start does) to track them in MLflow.",
  );
  return new MemorySink();
}
