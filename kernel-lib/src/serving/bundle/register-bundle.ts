/**
 * Registers an uploaded bundle as a new version of the registered model of the same name, with
 * Kiln's lineage tags on the version.
 *
 * @example
 * ```ts
 * const version = await registerBundle(client, {
 *   name: "regressor", source: `${run.info.artifactUri}/models/regressor`, runId: run.info.runId,
 *   lineage: bundleLineage({ runId: run.info.runId, dataset: { table: "sensors", version: "3" } }),
 * });
 * ```
 */
import type { MlflowClient } from "../../mlflow/client";
import type { ModelVersion } from "../../mlflow/types";

/** Where the training data came from (tags `kiln.dataset.table` / `kiln.dataset.version`). */
export type DatasetRef = { table: string; version?: string | number };

/** Input of {@link bundleLineage}. */
export type LineageInput = {
  /** The MLflow run the bundle was logged to. */
  runId: string;
  pipeline?: string;
  pipelineVersion?: string;
  /** The Kiln pipeline run (not the MLflow run). */
  pipelineRunId?: string;
  dataset?: DatasetRef;
};

/** The lineage tags of a model version; absent facts are left out, never set to "". */
export function bundleLineage(input: LineageInput): Record<string, string> {
  return {
    ...(input.pipeline ? { "kiln.pipeline": input.pipeline } : {}),
    ...(input.pipelineVersion ? { "kiln.pipeline.version": input.pipelineVersion } : {}),
    ...(input.pipelineRunId ? { "kiln.pipeline.run_id": input.pipelineRunId } : {}),
    "kiln.run_id": input.runId,
    ...(input.dataset ? { "kiln.dataset.table": input.dataset.table } : {}),
    ...(input.dataset?.version !== undefined
      ? { "kiln.dataset.version": String(input.dataset.version) }
      : {}),
  };
}

/** Creates the registered model if needed, then a version pointing at `source` (waits for READY). */
export async function registerBundle(
  client: MlflowClient,
  input: { name: string; source: string; runId: string; lineage: Record<string, string> },
): Promise<ModelVersion> {
  await client.createRegisteredModel({ name: input.name });
  return client.createModelVersion({
    name: input.name,
    source: input.source,
    runId: input.runId,
    tags: input.lineage,
  });
}
