/**
 * The tracking writes that may be buffered, spooled to disk and replayed. Each one is idempotent
 * on MLflow's SQL store (checked against MLflow 3.17.2), which is what makes replaying a batch
 * whose response was lost safe:
 * - `log-batch`: a metric identical in (key, value, timestamp, step) is stored once, because it is
 *   the primary key of MLflow's `metrics` table; re-logging a param with the same value is
 *   accepted; tags are upserts.
 * - `log-inputs`: the same dataset (name, digest) with the same input tags is recorded once.
 * - `update-run`: setting the same status/end time twice has the same effect as once.
 *
 * @example
 * ```ts
 * await sendOperation(http, { op: "update-run", runId, status: "FINISHED", endTime: Date.now() });
 * ```
 */
import type { MlflowTransport } from "./http";
import type { DatasetInput, MetricRecord, ParamRecord, RunStatus, TagRecord } from "./types";
import { fromRecord } from "./wire-format";

/** One `runs/log-batch` request, already within MLflow's limits. */
export type LogBatchOperation = {
  op: "log-batch";
  runId: string;
  metrics: MetricRecord[];
  params: ParamRecord[];
  tags: TagRecord[];
};

/** One `runs/log-inputs` request. */
export type LogInputsOperation = { op: "log-inputs"; runId: string; datasets: DatasetInput[] };

/** One `runs/update` request that ends (or re-statuses) a run. */
export type UpdateRunOperation = {
  op: "update-run";
  runId: string;
  status: RunStatus;
  endTime?: number;
};

/** Any write that can go through the batcher and the spool. */
export type TrackingOperation = LogBatchOperation | LogInputsOperation | UpdateRunOperation;

/**
 * Sends one operation. Throws MlflowApiError (refused) or MlflowUnavailableError (unreachable).
 *
 * @example
 * ```ts
 * await sendOperation(http, { op: "log-batch", runId, metrics: [], params: [{ key: "lr", value: "0.1" }], tags: [] });
 * ```
 */
export async function sendOperation(
  http: MlflowTransport,
  operation: TrackingOperation,
): Promise<void> {
  switch (operation.op) {
    case "log-batch":
      await http.json({
        method: "POST",
        path: "/api/2.0/mlflow/runs/log-batch",
        body: {
          run_id: operation.runId,
          metrics: operation.metrics,
          params: operation.params,
          tags: operation.tags,
        },
      });
      return;
    case "log-inputs":
      await http.json({
        method: "POST",
        path: "/api/2.0/mlflow/runs/log-inputs",
        body: {
          run_id: operation.runId,
          datasets: operation.datasets.map(({ dataset, tags }) => ({
            dataset: {
              name: dataset.name,
              digest: dataset.digest,
              source_type: dataset.sourceType,
              source: dataset.source,
              ...(dataset.schema !== undefined ? { schema: dataset.schema } : {}),
              ...(dataset.profile !== undefined ? { profile: dataset.profile } : {}),
            },
            tags: fromRecord(tags),
          })),
        },
      });
      return;
    case "update-run":
      await http.json({
        method: "POST",
        path: "/api/2.0/mlflow/runs/update",
        body: {
          run_id: operation.runId,
          status: operation.status,
          ...(operation.endTime !== undefined ? { end_time: operation.endTime } : {}),
        },
      });
      return;
  }
}
