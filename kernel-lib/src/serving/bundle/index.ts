// Model bundles: what `kiln.log.model(..., { inputSchema })` writes and what serving reads.
export * from "./errors";
export * from "./schema";
export * from "./reference-stats";
export { BUNDLE_FORMAT, MANIFEST_FILE, MODEL_TASKS, sha256File } from "./manifest";
export type {
  BundleManifest,
  BundleModelEntry,
  BundleOnlineFeaturesEntry,
  ModelTask,
} from "./manifest";
export { mlmodelYaml } from "./mlmodel-file";
export type { MlmodelInput } from "./mlmodel-file";
export { TRANSFORM_FORMAT, compileTransform, transformSource } from "./transform-code";
export type {
  RowTransform,
  TransformLanguage,
  TransformManifest,
  TransformOption,
  TransformRow,
  TransformSource,
} from "./transform-code";
export { writeBundle } from "./write-bundle";
export type {
  BundleFallback,
  BundleModel,
  BundleOnlineFeatures,
  WriteBundleInput,
} from "./write-bundle";
export { bundleLineage, registerBundle } from "./register-bundle";
export type { DatasetRef, LineageInput } from "./register-bundle";
export { downloadBundle, readManifest, verifyBundle } from "./read-bundle";
export type { DownloadedBundle } from "./read-bundle";
export { loadBundle } from "./predictor";
export type { BundleMatrixPrediction, BundlePrediction, LoadedBundle } from "./predictor";
