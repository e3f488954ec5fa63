// What a pipeline run reports while it runs: the CLI's progress display, the server's event
// stream (SSE) and the JupyterLab panel all consume these. Browser-safe.

/** Lifecycle of one step within one run. */
export type StepStatus = "pending" | "running" | "cached" | "succeeded" | "failed" | "skipped";

/** Final state of a run: failed when any step failed (the others still finish). */
export type PipelineRunStatus = "running" | "succeeded" | "failed";

export type PipelineEvent =
  | {
      type: "run-started";
      runId: string;
      pipeline: string;
      version: string;
      steps: string[];
      /** MLflow parent run, when tracking is on. */
      mlflowRunId?: string;
      /**
       * MLflow experiment of the parent and step runs (cached steps' runs included: the
       * experiment is named after the pipeline), when tracking is on. A run's page in MLflow's UI
       * is `<mlflow>/#/experiments/<experimentId>/runs/<runId>`.
       */
      experimentId?: string;
      time: number;
    }
  | {
      type: "step-status";
      runId: string;
      step: string;
      status: StepStatus;
      /** Set on cached, succeeded and failed. */
      durationMs?: number;
      /** Set on failed (the error) and skipped (which upstream step failed). */
      error?: string;
      mlflowRunId?: string;
      time: number;
    }
  | {
      type: "step-log";
      runId: string;
      step: string;
      stream: "stdout" | "stderr";
      line: string;
      time: number;
    }
  | {
      type: "run-finished";
      runId: string;
      status: Exclude<PipelineRunStatus, "running">;
      durationMs: number;
      time: number;
    };

/** A run as `kiln runs` and the server list it. */
export interface PipelineRunRecord {
  runId: string;
  pipeline: string;
  version: string;
  specHash: string;
  status: PipelineRunStatus;
  params: Record<string, unknown>;
  startTime: number;
  endTime?: number;
  mlflowRunId?: string;
  /** MLflow experiment of the parent and step runs, as in the `run-started` event. */
  experimentId?: string;
  steps: Record<
    string,
    { status: StepStatus; durationMs?: number; error?: string; mlflowRunId?: string }
  >;
}
