export * from "./endpoint-model";
export { EndpointRegistry, type EndpointInfo } from "./endpoint-registry";
export {
  EndpointBatchers,
  MicroBatcher,
  type MicroBatcherOptions,
  type MicroBatcherStats,
  type RequestPrediction,
} from "./micro-batcher";
export { mlflowInvocationsRoutes, type MlflowInvocationsOptions } from "./mlflow-invocations";
export { modelMetadata, openInferenceRoutes, type OpenInferenceOptions } from "./open-inference";
export { ServingRequestError, type ServingDeps } from "./scoring";
