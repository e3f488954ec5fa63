/**
 * Where `kiln.log.*` goes. Three sinks, picked once per process by {@link chooseLogSink}:
 * - a step of a pipeline run logs to its nested MLflow run (from the step context);
 * - a notebook with `MLFLOW_TRACKING_URI` logs to a lazily started interactive run;
 * - a notebook without it keeps everything in memory, after one warning line.
 * Tracking trouble in a notebook is reported once and never thrown: a lost metric must not
 * cost a user their kernel state.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { io } from "@tensorflow/tfjs";
import { MlflowClient } from "../../mlflow/client";
import { MlflowValidationError } from "../../mlflow/errors";
import { startRun, type ActiveRun } from "../../mlflow/run";
import { validateMetrics, validateParams } from "../../mlflow/validation";
import { fileModelHandler } from "../../tf/file-io";
import type { StepTrackingContext } from "./context";

/** Anything with tfjs' `save(handler)`, e.g. a `tf.LayersModel`. */
export interface SavableModel {
  save(handler: io.IOHandler): Promise<io.SaveResult>;
}

/** What was logged, as kept in memory (always, so tests and notebooks can look back). */
export interface RecordedLogs {
  params: Record<string, string>;
  metrics: { key: string; value: number; step: number; timestamp: number }[];
  models: { name: string; uri: string }[];
}

/** One destination of `kiln.log.*`. Calls validate synchronously and throw on bad input. */
export interface LogSink {
  metrics(metrics: Record<string, number>, step: number | undefined): void;
  params(params: Record<string, string | number | boolean>): void;
  model(model: SavableModel, name: string): Promise<string>;
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
  readonly recorded: RecordedLogs = { params: {}, metrics: [], models: [] };

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

  async model(model: SavableModel, name: string): Promise<string> {
    assertValidModelArtifactName(name);
    const uri = await this.deliverModel(model, name);
    this.recorded.models.push({ name, uri });
    return uri;
  }

  abstract flush(): Promise<void>;

  close(): Promise<void> {
    return this.flush();
  }

  protected abstract deliverMetrics(m: Record<string, number>, step: number | undefined): void;
  protected abstract deliverParams(p: Record<string, string | number | boolean>): void;
  protected abstract deliverModel(model: SavableModel, name: string): Promise<string>;
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

  protected async deliverModel(model: SavableModel, name: string): Promise<string> {
    const artifactDir = `models/${name}`;
    await uploadModel(model, (dir) =>
      this.#client.logArtifacts(this.#tracking.runId, dir, artifactDir),
    );
    return `${this.#tracking.artifactUri}/${artifactDir}`;
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

  protected async deliverModel(model: SavableModel, name: string): Promise<string> {
    const run = await this.#runOrUndefined();
    if (!run) return saveModelLocally(model, name);
    const artifactDir = `models/${name}`;
    await uploadModel(model, (dir) => run.logArtifacts(dir, artifactDir));
    return `${run.info.artifactUri}/${artifactDir}`;
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
  protected deliverModel(model: SavableModel, name: string): Promise<string> {
    return saveModelLocally(model, name);
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
