/**
 * MLflow for a pipeline run: one parent run in the experiment named after the pipeline (params,
 * the spec and the notebook as artifacts, tags `kiln.pipeline*`), and one nested run per step
 * that runs (tags `kiln.step*`, metric `duration_seconds`, its log as `logs/<step>.log`). A cached
 * step did not run, so it gets no nested run of its own: the parent run's tags name it and link
 * to the nested run that computed its outputs, which holds its metrics, models and log. A fully
 * cached run thus costs six requests, whatever the number of steps.
 *
 * @example
 * ```ts
 * const tracking = await PipelineTracking.start({ trackingUri, spec, version: "v3", params, runId, spoolDir });
 * const stepRun = await tracking.startStep(step, cacheKey);
 * await tracking.endStep(stepRun.runId, { status: "FINISHED", durationMs: 1200, logFile });
 * tracking.recordCachedStep(otherStep, cacheEntry.mlflowRunId);
 * await tracking.finish("FINISHED");
 * ```
 */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MlflowClient } from "../../mlflow/client";
import type { RunStatus } from "../../mlflow/types";
import type { JsonValue, PipelineSpec, StepSpec } from "../../spec";

/** Options of {@link PipelineTracking.start}. */
export type PipelineTrackingOptions = {
  trackingUri: string;
  spec: PipelineSpec;
  version: string;
  params: Record<string, JsonValue>;
  /** Kiln's run id (tag `kiln.run_id`). */
  runId: string;
  /** The run's working directory, where `spec.json` is written before upload. */
  runDir: string;
  /** Where undeliverable writes are spooled. */
  spoolDir: string;
};

/** A step's nested run, as the step process needs it. */
export interface StepRunHandle {
  runId: string;
  artifactUri: string;
}

/** The MLflow side of one pipeline run. */
export class PipelineTracking {
  readonly client: MlflowClient;
  readonly parentRunId: string;
  /** The experiment (named after the pipeline) holding the parent and step runs. */
  readonly experimentId: string;
  // Background work (artifact uploads, cached/skipped steps' runs) awaited by finish().
  readonly #pending: Promise<unknown>[] = [];
  readonly #errors: unknown[] = [];

  private constructor(client: MlflowClient, experimentId: string, parentRunId: string) {
    this.client = client;
    this.experimentId = experimentId;
    this.parentRunId = parentRunId;
  }

  /** Creates the parent run and starts uploading its params and artifacts in the background. */
  static async start(options: PipelineTrackingOptions): Promise<PipelineTracking> {
    const { spec } = options;
    const client = new MlflowClient({
      trackingUri: options.trackingUri,
      spoolDir: options.spoolDir,
    });
    try {
      const experiment = await client.getOrCreateExperiment(spec.name);
      const run = await client.createRun({
        experimentId: experiment.experimentId,
        runName: `${spec.name} ${options.version}`,
        tags: {
          "kiln.pipeline": spec.name,
          "kiln.pipeline.version": options.version,
          "kiln.pipeline.hash": spec.hash,
          "kiln.run_id": options.runId,
        },
      });
      const tracking = new PipelineTracking(client, experiment.experimentId, run.info.runId);
      client.enqueueParams(
        run.info.runId,
        Object.fromEntries(
          Object.entries(options.params).map(([k, v]) => [
            k,
            typeof v === "object" ? JSON.stringify(v) : v,
          ]),
        ),
      );
      // Sent now, in the background: at the end only the status update is left to wait for.
      tracking.#background(client.flush(run.info.runId));
      // The spec is awaited: a step's kiln.log.model reads it from here to bundle the
      // notebook's transform cells, so it must be there before any step starts.
      await tracking.#uploadSpec(options);
      tracking.#background(tracking.#uploadNotebook(options));
      return tracking;
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  /** Creates a step's nested run (before its process starts, so the step can log to it). */
  async startStep(step: StepSpec, cacheKey: string): Promise<StepRunHandle> {
    const run = await this.client.createRun({
      experimentId: this.experimentId,
      runName: step.name,
      parentRunId: this.parentRunId,
      tags: {
        "kiln.step": step.name,
        "kiln.step.hash": step.hash,
        "kiln.step.cache_key": cacheKey,
      },
    });
    return { runId: run.info.runId, artifactUri: run.info.artifactUri };
  }

  /** Logs the duration (and log file), then ends the step's run with `status`. */
  async endStep(
    stepRunId: string,
    outcome: { status: RunStatus; durationMs: number; logFile?: string },
  ): Promise<void> {
    this.client.enqueueMetrics(stepRunId, { duration_seconds: outcome.durationMs / 1000 });
    if (outcome.logFile && existsSync(outcome.logFile)) {
      await this.client.logArtifact(stepRunId, outcome.logFile, "logs");
    }
    await this.client.endRun(stepRunId, outcome.status);
  }

  /**
   * Records a cached step on the parent run: tag `kiln.step.<name>.cached`, and
   * `kiln.step.<name>.source_run` = the nested run (of an earlier pipeline run) that computed the
   * outputs reused here. Buffered: sent with the parent's other writes.
   */
  recordCachedStep(step: StepSpec, sourceRunId: string | undefined): void {
    this.client.enqueueTags(this.parentRunId, {
      [`kiln.step.${step.name}.cached`]: "true",
      ...(sourceRunId ? { [`kiln.step.${step.name}.source_run`]: sourceRunId } : {}),
    });
  }

  /** A skipped step's nested run (status KILLED, tag `kiln.step.skipped`), in the background. */
  recordSkippedStep(step: StepSpec, cacheKey: string, failedUpstream: string): void {
    this.#background(
      (async () => {
        const run = await this.startStep(step, cacheKey);
        await this.client.setTags(run.runId, {
          "kiln.step.skipped": "true",
          "kiln.step.skipped_because": failedUpstream,
        });
        await this.client.endRun(run.runId, "KILLED");
      })(),
    );
  }

  /**
   * Waits for background work, ends the parent run and closes the client. Rejects with the first
   * background error (after ending the run), so a tracking problem is not silently lost.
   */
  async finish(status: RunStatus): Promise<void> {
    try {
      await Promise.all(this.#pending);
      await this.client.endRun(this.parentRunId, status);
    } finally {
      await this.client.close();
    }
    if (this.#errors.length > 0) throw this.#errors[0];
  }

  #background(work: Promise<unknown>): void {
    this.#pending.push(work.catch((error: unknown) => this.#errors.push(error)));
  }

  async #uploadSpec(options: PipelineTrackingOptions): Promise<void> {
    const specFile = join(options.runDir, "spec.json");
    await writeFile(specFile, JSON.stringify(options.spec, null, 2));
    await this.client.logArtifact(this.parentRunId, specFile, "pipeline");
  }

  async #uploadNotebook(options: PipelineTrackingOptions): Promise<void> {
    const notebook = options.spec.notebook.path;
    if (notebook && existsSync(notebook)) {
      await this.client.logArtifact(this.parentRunId, notebook, "pipeline");
    }
  }
}
