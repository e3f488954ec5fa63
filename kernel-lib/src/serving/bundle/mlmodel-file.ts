/**
 * The `MLmodel` file MLflow reads to show what a logged model is. Kiln bundles carry a single
 * `kiln` flavor (no `python_function`: MLflow's Python tools cannot load a tfjs model, so they
 * should not pretend to); the flavor points at the bundle's own files.
 *
 * @example
 * ```ts
 * const yaml = mlmodelYaml({ artifactPath: "models/regressor", runId, bundleFormat: BUNDLE_FORMAT, ... });
 * ```
 */
import { randomUUID } from "node:crypto";
import { stringify } from "yaml";

/** Input of {@link mlmodelYaml}. */
export type MlmodelInput = {
  /** Run-relative directory of the bundle, e.g. `models/regressor`. */
  artifactPath: string;
  /** The MLflow run the bundle belongs to (omitted for local, untracked bundles). */
  runId?: string;
  /** The tracking server's version (MLflow records its client's; we have no Python client). */
  mlflowVersion?: string;
  bundleFormat: string;
  tfjsVersion?: string;
  hasFallback: boolean;
  hasTransform: boolean;
  hasReference: boolean;
  modelUuid?: string;
  created?: Date;
};

/** The `MLmodel` YAML text, with keys as MLflow writes them. */
export function mlmodelYaml(input: MlmodelInput): string {
  const flavor = {
    bundle_format: input.bundleFormat,
    manifest: "bundle.json",
    framework: "tfjs-layers",
    ...(input.tfjsVersion ? { tfjs_version: input.tfjsVersion } : {}),
    model: "model.json",
    input_schema: "input-schema.json",
    ...(input.hasFallback ? { fallback: "fallback/model.json" } : {}),
    ...(input.hasTransform ? { transform: "transform.json" } : {}),
    ...(input.hasReference ? { reference: "reference.json" } : {}),
  };
  return stringify({
    artifact_path: input.artifactPath,
    flavors: { kiln: flavor },
    ...(input.mlflowVersion ? { mlflow_version: input.mlflowVersion } : {}),
    model_uuid: (input.modelUuid ?? randomUUID()).replaceAll("-", ""),
    ...(input.runId ? { run_id: input.runId } : {}),
    utc_time_created: mlflowTimestamp(input.created ?? new Date()),
  });
}

// MLflow writes `str(datetime.utcnow())`: "2025-01-31 12:34:56.789000".
function mlflowTimestamp(date: Date): string {
  return `${date.toISOString().replace("T", " ").replace("Z", "")}000`;
}
