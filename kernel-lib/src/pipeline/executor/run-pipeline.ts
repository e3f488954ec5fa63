/**
 * Runs a compiled pipeline locally: each step in its own Node process, independent branches in
 * parallel, steps whose cache key and outputs exist reported as cached instead of run, a failed
 * step skipping its downstream steps while the rest finishes. Progress goes to `onEvent`, to
 * `<stateDir>/runs/<runId>.json`, and to MLflow (parent run + nested run per step) when a
 * tracking URI is given or `MLFLOW_TRACKING_URI` is set.
 *
 * Nothing runs when the params are invalid (PipelineParamsError) or the graph is malformed
 * (TypeError); when tracking is on and MLflow cannot be reached, the run fails to start with the
 * client's MlflowUnavailableError rather than running untracked.
 *
 * @example
 * ```ts
 * const pipeline = await compileNotebookFile("notebooks/churn.ipynb");
 * const record = await runPipeline(pipeline, {
 *   stateDir: "notebooks/.kiln",
 *   params: { epochs: 5 },
 *   onEvent: (e) => e.type === "step-status" && console.log(e.step, e.status),
 * });
 * console.log(record.status, record.steps["train"]?.durationMs);
 * ```
 */
import { availableParallelism } from "node:os";
import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type {
  JsonValue,
  PipelineEvent,
  PipelineRunRecord,
  StepSpec,
  StepStatus,
  VersionedPipeline,
} from "../../spec";
import { ArtifactStore } from "./artifact-store";
import type { CacheEntry, StoredValue } from "./artifact-store";
import { stepCacheKey } from "./cache-key";
import { resolveRunParams } from "./run-params";
import { newRunId, RunRecorder, runsDir, stepLogFile } from "./run-registry";
import { PipelineTracking } from "./run-tracking";
import { runGraph, validateGraph } from "./scheduler";
import type { TaskOutcome } from "./scheduler";
import { executeStep, StepFailedError } from "./step-execution";

/** Options of {@link runPipeline}. */
export type RunPipelineOptions = {
  /** Values for the pipeline's params; unknown names and wrong types are rejected. */
  params?: Record<string, unknown>;
  /** Run every step, cached or not. */
  force?: boolean;
  /** Most steps running at once; default: the number of CPU cores. */
  parallelism?: number;
  /** MLflow tracking server; default `MLFLOW_TRACKING_URI`; no tracking when neither is set. */
  trackingUri?: string;
  /** Kiln state: `artifacts/`, `runs/`, `spool/` (usually `.kiln` next to the notebook). */
  stateDir: string;
  /** Where the notebook lives: steps run there and resolve its packages. Default: from the spec. */
  notebookDir?: string;
  /**
   * Environment variables the steps must not see (e.g. the server's URL and admin key in a
   * retraining run, whose model only the server may promote).
   */
  withoutEnv?: readonly string[];
  onEvent?: (event: PipelineEvent) => void;
};

/** Runs the pipeline to the end and resolves with its final record (failed steps included). */
export async function runPipeline(
  pipeline: VersionedPipeline,
  options: RunPipelineOptions,
): Promise<PipelineRunRecord> {
  const { spec, version } = pipeline;
  const params = resolveRunParams(spec, options.params);
  validateGraph(spec.steps);
  const parallelism = options.parallelism ?? availableParallelism();
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new RangeError(`parallelism must be a whole number ≥ 1, got ${parallelism}`);
  }

  const stateDir = resolve(options.stateDir);
  const runId = newRunId();
  const runDir = join(runsDir(stateDir), runId);
  await mkdir(runDir, { recursive: true });
  const notebookDir =
    options.notebookDir ?? (spec.notebook.path ? dirname(resolve(spec.notebook.path)) : undefined);
  const trackingUri = options.trackingUri ?? process.env["MLFLOW_TRACKING_URI"];
  const startTime = Date.now();
  const tracking = trackingUri
    ? await PipelineTracking.start({
        trackingUri,
        spec,
        version,
        params,
        runId,
        runDir,
        spoolDir: join(stateDir, "spool"),
      })
    : undefined;

  const recorder = new RunRecorder(stateDir, {
    runId,
    pipeline: spec.name,
    version,
    specHash: spec.hash,
    status: "running",
    params,
    startTime,
    ...(tracking ? { mlflowRunId: tracking.parentRunId, experimentId: tracking.experimentId } : {}),
    steps: Object.fromEntries(spec.steps.map((s) => [s.name, { status: "pending" as StepStatus }])),
  });
  const emit = (event: PipelineEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A broken listener must not break the run; the record on disk still has everything.
    }
  };
  emit({
    type: "run-started",
    runId,
    pipeline: spec.name,
    version,
    steps: spec.steps.map((s) => s.name),
    ...(tracking ? { mlflowRunId: tracking.parentRunId, experimentId: tracking.experimentId } : {}),
    time: Date.now(),
  });

  const store = new ArtifactStore(join(stateDir, "artifacts"));
  const spoolDir = join(stateDir, "spool");
  const run = new StepRunner({
    stepsByName: new Map(spec.steps.map((s) => [s.name, s])),
    runId,
    runDir,
    params,
    store,
    tracking,
    recorder,
    emit,
    force: options.force ?? false,
    execute: (step, cacheKey, inputs, stepTracking, onLine) =>
      executeStep({
        spec,
        step,
        cacheKey,
        runId,
        runDir,
        store,
        params,
        inputs,
        logFile: stepLogFile(stateDir, runId, step.name),
        ...(stepTracking && trackingUri
          ? { tracking: { ...stepTracking, trackingUri, spoolDir } }
          : {}),
        ...(notebookDir ? { notebookDir } : {}),
        ...(options.withoutEnv ? { withoutEnv: options.withoutEnv } : {}),
        onLine,
      }),
    logFileOf: (step) => stepLogFile(stateDir, runId, step),
  });
  const outcomes = await runGraph(spec.steps, (name) => run.runStep(name), {
    parallelism,
    onSkipped: (name, failed) => run.skip(name, failed),
  });

  const status = [...outcomes.values()].includes("failed") ? "failed" : "succeeded";
  if (tracking) {
    await tracking.finish(status === "failed" ? "FAILED" : "FINISHED").catch((error: unknown) => {
      console.warn(
        `kiln: MLflow tracking of run ${runId} is incomplete: ${(error as Error).message}`,
      );
    });
  }
  const endTime = Date.now();
  recorder.update((record) => {
    record.status = status;
    record.endTime = endTime;
  });
  await recorder.flush();
  emit({ type: "run-finished", runId, status, durationMs: endTime - startTime, time: endTime });
  return recorder.record;
}

type StepRunnerInit = {
  stepsByName: Map<string, StepSpec>;
  runId: string;
  runDir: string;
  params: Record<string, JsonValue>;
  store: ArtifactStore;
  tracking: PipelineTracking | undefined;
  recorder: RunRecorder;
  emit: (event: PipelineEvent) => void;
  force: boolean;
  execute: (
    step: StepSpec,
    cacheKey: string,
    inputs: Record<string, StoredValue>,
    tracking: { runId: string; artifactUri: string } | undefined,
    onLine: (stream: "stdout" | "stderr", line: string) => void,
  ) => Promise<CacheEntry>;
  logFileOf: (step: string) => string;
};

// The per-step half of a run: cache lookup, execution, status bookkeeping.
class StepRunner {
  readonly #init: StepRunnerInit;
  readonly #entries = new Map<string, CacheEntry>();

  constructor(init: StepRunnerInit) {
    this.#init = init;
  }

  async runStep(name: string): Promise<TaskOutcome> {
    const { store, tracking, params } = this.#init;
    const step = this.#step(name);
    const started = Date.now();
    let inputs: Record<string, StoredValue>;
    try {
      inputs = this.#inputsOf(step);
    } catch (error) {
      this.#status(name, "failed", { error: (error as Error).message, durationMs: 0 });
      return "failed";
    }
    const cacheKey = stepCacheKey(step, params, inputs);

    if (!this.#init.force && step.cache) {
      const hit = await store.readCacheEntry(cacheKey);
      if (hit) {
        this.#entries.set(name, hit);
        const durationMs = Date.now() - started;
        tracking?.recordCachedStep(step, hit.mlflowRunId);
        this.#status(name, "cached", {
          durationMs,
          ...(hit.mlflowRunId ? { mlflowRunId: hit.mlflowRunId } : {}),
        });
        return "cached";
      }
    }

    const logLine = (stream: "stdout" | "stderr", line: string) =>
      this.#init.emit({
        type: "step-log",
        runId: this.#init.runId,
        step: name,
        stream,
        line,
        time: Date.now(),
      });
    let stepRun: { runId: string; artifactUri: string } | undefined;
    if (tracking) {
      try {
        stepRun = await tracking.startStep(step, cacheKey);
      } catch (error) {
        logLine(
          "stderr",
          `kiln: the step runs untracked, its MLflow run could not be created: ${(error as Error).message}`,
        );
      }
    }
    this.#status(name, "running", stepRun ? { mlflowRunId: stepRun.runId } : {});
    let outcome: "succeeded" | "failed";
    let error: string | undefined;
    try {
      this.#entries.set(name, await this.#init.execute(step, cacheKey, inputs, stepRun, logLine));
      outcome = "succeeded";
    } catch (failure) {
      outcome = "failed";
      error =
        failure instanceof StepFailedError
          ? failure.reason
          : String((failure as Error).message ?? failure);
    }
    const durationMs = Date.now() - started;
    if (tracking && stepRun) {
      await tracking
        .endStep(stepRun.runId, {
          status: outcome === "succeeded" ? "FINISHED" : "FAILED",
          durationMs,
          logFile: this.#init.logFileOf(name),
        })
        .catch((failure: unknown) =>
          logLine(
            "stderr",
            `kiln: could not finish the step's MLflow run: ${(failure as Error).message}`,
          ),
        );
    }
    this.#status(name, outcome, { durationMs, ...(error !== undefined ? { error } : {}) });
    return outcome;
  }

  skip(name: string, failedUpstream: string): void {
    const step = this.#step(name);
    this.#init.tracking?.recordSkippedStep(step, step.hash, failedUpstream);
    this.#status(name, "skipped", { error: `upstream step "${failedUpstream}" failed` });
  }

  #step(name: string): StepSpec {
    const step = this.#init.stepsByName.get(name);
    if (!step) throw new TypeError(`Unknown step "${name}"`);
    return step;
  }

  #inputsOf(step: StepSpec): Record<string, StoredValue> {
    const inputs: Record<string, StoredValue> = {};
    for (const input of step.inputs) {
      const stored = this.#entries.get(input.from)?.outputs[input.name];
      if (!stored) {
        throw new Error(
          `its input "${input.name}" was not produced by step "${input.from}" (is it listed in that step's outputs?). Recompile the notebook.`,
        );
      }
      inputs[input.name] = stored;
    }
    return inputs;
  }

  #status(
    name: string,
    status: StepStatus,
    extra: { durationMs?: number; error?: string; mlflowRunId?: string },
  ): void {
    this.#init.recorder.update((record) => {
      record.steps[name] = { ...record.steps[name], status, ...extra };
    });
    this.#init.emit({
      type: "step-status",
      runId: this.#init.runId,
      step: name,
      status,
      ...extra,
      time: Date.now(),
    });
  }
}
