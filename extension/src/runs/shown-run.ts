// A pipeline run as the graph shows it, built from the server's events as they arrive or from
// the run's record: the run's status and every step's, with the logs seen so far.

import type {
  PipelineEvent,
  PipelineRunRecord,
  PipelineRunStatus,
  StepStatus,
} from "@kiln/kernel-lib/spec";

/** One line a step printed. */
export type StepLogLine = { stream: "stdout" | "stderr"; line: string };

/** A step of a shown run. */
export type ShownStep = {
  status: StepStatus;
  durationMs?: number;
  /** Why it failed, or which upstream step made it skip. */
  error?: string;
  /** Its MLflow run: the one that computed it, for a cached step. */
  mlflowRunId?: string;
};

/** A run on the graph. */
export type ShownRun = {
  runId: string;
  pipeline: string;
  version: string;
  status: PipelineRunStatus;
  /** Steps by name, in the order the run lists them. */
  steps: Record<string, ShownStep>;
  /**
   * Lines each step printed, from the live event stream (which replays a run from its start);
   * null for a run read from its record, whose logs are fetched when opened.
   */
  logs: Record<string, StepLogLine[]> | null;
  params?: Record<string, unknown>;
  mlflowRunId?: string;
  experimentId?: string;
  startTime?: number;
  durationMs?: number;
};

/**
 * A run that has just been started, before its first event.
 *
 * @example
 * ```ts
 * const run = startedRun({ runId, pipeline: "churn", version: "v3" });
 * ```
 */
export function startedRun(started: {
  runId: string;
  pipeline: string;
  version: string;
}): ShownRun {
  return { ...started, status: "running", steps: {}, logs: {} };
}

/**
 * Applies one of the run's events to `run`, in place (logs grow by a line at a time, and copying
 * them for every line would cost as much as the whole log each time).
 *
 * @example
 * ```ts
 * for await (const event of followPipelineRun(settings, runId, signal)) applyRunEvent(run, event);
 * ```
 */
export function applyRunEvent(run: ShownRun, event: PipelineEvent): void {
  switch (event.type) {
    case "run-started":
      run.pipeline = event.pipeline;
      run.version = event.version;
      run.startTime = event.time;
      run.steps = Object.fromEntries(event.steps.map((step) => [step, { status: "pending" }]));
      run.logs = Object.fromEntries(event.steps.map((step) => [step, []]));
      run.mlflowRunId = event.mlflowRunId;
      run.experimentId = event.experimentId;
      return;
    case "step-status": {
      // A status replaces the step's previous one, but keeps its MLflow run: `running` names the
      // run, `succeeded` does not repeat it.
      run.steps[event.step] = {
        status: event.status,
        durationMs: event.durationMs,
        error: event.error,
        mlflowRunId: event.mlflowRunId ?? run.steps[event.step]?.mlflowRunId,
      };
      return;
    }
    case "step-log":
      if (run.logs) (run.logs[event.step] ??= []).push({ stream: event.stream, line: event.line });
      return;
    case "run-finished":
      run.status = event.status;
      run.durationMs = event.durationMs;
      return;
  }
}

/**
 * A run as its record on the server says it went (or is going).
 *
 * @example
 * ```ts
 * const run = runFromRecord(await getPipelineRun(settings, runId));
 * ```
 */
export function runFromRecord(record: PipelineRunRecord): ShownRun {
  return {
    runId: record.runId,
    pipeline: record.pipeline,
    version: record.version,
    status: record.status,
    steps: Object.fromEntries(Object.entries(record.steps).map(([name, s]) => [name, { ...s }])),
    logs: null,
    params: record.params,
    mlflowRunId: record.mlflowRunId,
    experimentId: record.experimentId,
    startTime: record.startTime,
    durationMs: record.endTime === undefined ? undefined : record.endTime - record.startTime,
  };
}
