// The package root: what a notebook gets with `import * as kiln from "@kiln/kernel-lib"`.
// Heavy dependencies (TypeScript, tfjs, Arrow, LanceDB) load on first use, not here.
export * from "./mlflow";
export * from "./mlflow/server";
export * from "./process/managed-process";
export * from "./tf/backend";
export * from "./tf/errors";
export * from "./tf/file-io";
export * from "./spec";
export * from "./pipeline/compiler";
export {
  params,
  log,
  stepContext,
  STEP_CONTEXT_ENV,
  type StepContext,
  type LogModelOptions,
  type RecordedLogs,
  type SavableModel,
} from "./pipeline/runtime";
export {
  runPipeline,
  type RunPipelineOptions,
  listRuns,
  stepLogFile,
  readRunRecord,
  resolveRunParams,
  PipelineParamsError,
  StepFailedError,
  LanceTableRef,
  type LanceTableRefFields,
  UnmarshallableValueError,
  MarshalledValueError,
  marshalValue,
  unmarshalValue,
  locateValueInDir,
  ArtifactStore,
  type CacheEntry,
  type StoredValue,
} from "./pipeline/executor";
export {
  exportKubeflowPipeline,
  buildKubeflowPipeline,
  sanitizeKfpName,
  KfpExportError,
  type KubeflowExportOptions,
  type KfpPipelineSpec,
} from "./pipeline/kfp";
export * from "./serving/bundle";
export * from "./data";
export type { ModelBundleOptions, LoggedModelBundle } from "./pipeline/runtime";
export * from "./features";
export * as dq from "./quality";
export * as monitoring from "./monitoring";
export { report } from "./monitoring/report";
