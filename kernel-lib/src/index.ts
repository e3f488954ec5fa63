export * from "./mlflow";
export * from "./mlflow/server";
export * from "./process/managed-process";
export * from "./tf/backend";
export * from "./tf/errors";
export * from "./tf/file-io";
export * from "./spec";
export * from "./pipeline/compiler";
export {
  exportKubeflowPipeline,
  buildKubeflowPipeline,
  sanitizeKfpName,
  KfpExportError,
  type KubeflowExportOptions,
  type KfpPipelineSpec,
} from "./pipeline/kfp";
