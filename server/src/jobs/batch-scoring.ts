import type { ScoringRecorder } from "../monitoring/prediction-log";
import {
  InputValidationError,
  outputSize,
  type BatchPrediction,
  type FeatureRow,
  type ServedModel,
} from "../serving/endpoint-model";
import { mlflowPredictions } from "../serving/mlflow-request";
import type { JobResult } from "./job-store";

/** A job to score: its id, the rows and an opaque lease the backend uses to guard its result. */
export type ScoredJob<Lease> = { id: string; rows: FeatureRow[]; lease: Lease };

/** How one scored job ended. */
export type ScoreOutcome<Lease> =
  | { id: string; lease: Lease; status: "succeeded"; result: JobResult }
  | { id: string; lease: Lease; status: "failed"; error: string };

/** Counters a scorer adds to. */
export type ScoringStats = { predictCalls: number; rows: number };

/**
 * Scores jobs of one model in one go; when one job's rows are refused, re-runs job by job so only
 * it fails. `predict` gets at most `maxBatchRows` rows a call.
 *
 * @example
 * const outcomes = await scoreJobs(model, [{ id, rows, lease: token }], 1_024, stats);
 */
export async function scoreJobs<Lease>(
  model: ServedModel,
  jobs: ScoredJob<Lease>[],
  maxBatchRows: number,
  stats: ScoringStats,
  recorder?: ScoringRecorder,
): Promise<ScoreOutcome<Lease>[]> {
  const started = Date.now();
  try {
    const prediction = await predictInChunks(
      model,
      jobs.flatMap((job) => job.rows),
      maxBatchRows,
      stats,
    );
    let start = 0;
    return jobs.map((job) => {
      const end = start + job.rows.length;
      const share = {
        model,
        outputs: prediction.outputs.slice(start, end),
        usedFallback: prediction.usedFallback.slice(start, end),
      };
      start = end;
      // Jobs are served predictions too: logged like requests, the job id as the request id.
      recorder?.record({
        requestId: job.id,
        endpoint: model.endpoint,
        protocol: "job",
        time: started,
        status: 200,
        latencyMs: Date.now() - started,
        model,
        scored: { inputs: job.rows, outputs: share.outputs, usedFallback: share.usedFallback },
      });
      return {
        id: job.id,
        lease: job.lease,
        status: "succeeded",
        result: {
          predictions: mlflowPredictions(share),
          model_version: model.version,
          fallback: share.usedFallback,
        },
      };
    });
  } catch (error) {
    if (error instanceof InputValidationError && jobs.length > 1) {
      const outcomes: ScoreOutcome<Lease>[] = [];
      for (const job of jobs) {
        outcomes.push(...(await scoreJobs(model, [job], maxBatchRows, stats, recorder)));
      }
      return outcomes;
    }
    let message: string;
    if (error instanceof InputValidationError) {
      message = error.message;
    } else {
      console.error(`kiln jobs: model ${model.modelName} v${model.version} failed`, error);
      message = `Model ${model.modelName} v${model.version} failed to score the rows: ${(error as Error).message ?? String(error)}`;
    }
    return jobs.map((job) => ({ id: job.id, lease: job.lease, status: "failed", error: message }));
  }
}

/** `predict` in chunks of at most `maxBatchRows` (one job may be larger), checking the answer's shape. */
async function predictInChunks(
  model: ServedModel,
  rows: FeatureRow[],
  maxBatchRows: number,
  stats: ScoringStats,
): Promise<BatchPrediction> {
  const width = model.outputs.reduce((total, output) => total + outputSize(output), 0);
  const all: BatchPrediction = { outputs: [], usedFallback: [] };
  for (let offset = 0; offset < rows.length; offset += maxBatchRows) {
    const chunk = rows.slice(offset, offset + maxBatchRows);
    stats.predictCalls += 1;
    stats.rows += chunk.length;
    const prediction = await model.predict(chunk);
    if (
      prediction.outputs.length !== chunk.length ||
      prediction.usedFallback.length !== chunk.length ||
      prediction.outputs.some((values) => values.length !== width)
    ) {
      throw new Error(
        `Model ${model.modelName} v${model.version} answered ${prediction.outputs.length} rows ` +
          `(${prediction.usedFallback.length} fallback flags) for ${chunk.length} rows of ${width} values each.`,
      );
    }
    all.outputs.push(...prediction.outputs);
    all.usedFallback.push(...prediction.usedFallback);
  }
  return all;
}
