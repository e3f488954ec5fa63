/**
 * MLflow tracking for Kiln: a typed REST client with batching, a durable spool and the
 * notebook-friendly `startRun`. Internal building blocks (wire format, file lock, the
 * artifact/registry helpers behind `MlflowClient`) are not re-exported.
 *
 * @example
 * ```ts
 * import { startRun } from "@kiln/kernel-lib";
 * const run = await startRun({ experiment: "churn" });
 * run.logMetric("loss", 0.3, 1);
 * await run.end();
 * ```
 */
export * from "./errors";
export * from "./types";
export * from "./validation";
export { DEFAULT_RETRY, backoffDelay } from "./retry";
export type { RetryOptions } from "./retry";
export { MlflowTransport } from "./http";
export type { JsonRequest, TransportOptions } from "./http";
export { sendOperation } from "./operations";
export type {
  LogBatchOperation,
  LogInputsOperation,
  TrackingOperation,
  UpdateRunOperation,
} from "./operations";
export { DEFAULT_BATCH_LIMITS, LogBatcher, splitIntoOperations } from "./log-batcher";
export type { BatchLimits, BufferedEntry, LogBatcherOptions } from "./log-batcher";
export { Spool } from "./spool";
export type { SpoolOptions, SpoolReplayResult } from "./spool";
export { artifactProxyPath } from "./artifacts";
export type {
  CreateModelVersionInput,
  CreateRegisteredModelInput,
  SearchRegisteredModelsInput,
} from "./registry";
export { MlflowClient } from "./client";
export type { CreateRunInput, MetricOptions, MlflowClientOptions, SearchRunsInput } from "./client";
export { ActiveRun, startRun } from "./run";
export type { StartRunOptions } from "./run";
