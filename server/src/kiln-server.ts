import { join } from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { freePort } from "@kiln/kernel-lib";
import { createKilnApp } from "./api/app";
import { watchApiKeys } from "./auth/api-keys";
import { kilnPaths } from "./paths";
import { PipelineRunManager } from "./pipelines/run-manager";
import { EndpointBatchers, EndpointRegistry } from "./serving";
import { EndpointManager } from "./serving/endpoint-manager";
import { JobQueue } from "./jobs";
import { KilnMetrics } from "./observability";
import { endpointHealth } from "./monitoring/endpoint-health";
import { FeedbackStore } from "./monitoring/feedback-store";
import { bundleTask } from "./monitoring/performance-task";
import { trainingReconstructionErrors } from "./monitoring/reconstruction-baseline";
import { PredictionLog } from "./monitoring/prediction-log";
import { monitoringLakeUri, PredictionLake } from "./monitoring/prediction-log-lake";
import { PredictionLogReader } from "./monitoring/prediction-log-reader";
import { PredictionLogSettings } from "./monitoring/prediction-log-settings";
import { PredictionLogTables } from "./monitoring/prediction-log-table";

type KilnServerOptions = {
  port?: number;
  /** Loopback by default: exposing Kiln beyond this machine is a deliberate choice. */
  host?: string;
  stateDir?: string;
  notebooksRoot?: string;
  /** MLflow to track pipeline runs in. */
  trackingUri?: string;
  /** An admin key valid for this process only (kiln start hands it to JupyterLab). */
  sessionAdminKey?: string;
  /** The prediction log of every served request (server/src/monitoring, docs/http-api.md). */
  predictionLog?: PredictionLogServerOptions;
};

/** Options of the prediction log. */
export type PredictionLogServerOptions = {
  /** The lake its tables go to; default `$KILN_LAKE_URI`, else `<stateDir>/lake`. */
  lake?: string;
  /** Share of requests whose rows are logged; default `$KILN_PREDICTION_LOG_SAMPLE_RATE`, else 1. */
  sampleRate?: number;
  /** Per-endpoint rates at start (`PUT /api/endpoints/{name}/prediction-log` wins over them). */
  sampleRates?: Record<string, number>;
  /** A batch is written after this long, default 1000 ms… */
  flushIntervalMs?: number;
  /** …or once this many rows wait, default 2000. */
  flushRows?: number;
  /** Rows held in memory at most (beyond: dropped and counted); default 100,000. */
  maxQueuedRows?: number;
};

/** A running Kiln HTTP server. */
export interface KilnServer {
  readonly url: string;
  /** Where the hashes of the API keys are kept. */
  readonly keysFile: string;
  stop(): Promise<void>;
}

/**
 * Starts Kiln's HTTP API (`kiln serve`, and `kiln start` with the rest of the platform).
 *
 * @example
 * const server = await startKilnServer({ port: 8700, trackingUri: mlflow.uri });
 */
export async function startKilnServer(options: KilnServerOptions = {}): Promise<KilnServer> {
  const stateDir = options.stateDir ?? kilnPaths.state;
  const keysFile = join(stateDir, "keys.json");
  const registry = new EndpointRegistry();
  const metrics = new KilnMetrics();
  const batchers = new EndpointBatchers({
    onBatch: (endpoint, rows) => metrics.observeBatch(endpoint, rows),
  });
  const endpoints = new EndpointManager({
    registry,
    batchers,
    stateDir,
    ...(options.trackingUri ? { trackingUri: options.trackingUri } : {}),
  });
  // Every promoted endpoint serves again after a restart, from its verified local bundle.
  const restored = await endpoints.restore();
  for (const { endpoint, error } of restored.failed) {
    console.error(`kiln: endpoint "${endpoint}" could not be restored: ${error}`);
  }
  // Every answered request is logged to the lake off the request path (monitoring/).
  const lake = new PredictionLake(monitoringLakeUri(stateDir, options.predictionLog?.lake));
  const settings = new PredictionLogSettings({
    file: join(stateDir, "prediction-log.json"),
    ...(options.predictionLog?.sampleRate !== undefined
      ? { sampleRate: options.predictionLog.sampleRate }
      : {}),
    ...(options.predictionLog?.sampleRates
      ? { sampleRates: options.predictionLog.sampleRates }
      : {}),
  });
  const { flushIntervalMs, flushRows, maxQueuedRows } = options.predictionLog ?? {};
  const predictionLog = new PredictionLog({
    sink: new PredictionLogTables(lake),
    sampleRate: (endpoint) => settings.sampleRate(endpoint),
    metrics,
    ...(flushIntervalMs !== undefined ? { flushIntervalMs } : {}),
    ...(flushRows !== undefined ? { flushRows } : {}),
    ...(maxQueuedRows !== undefined ? { maxQueuedRows } : {}),
  });
  metrics.watchPredictionLog(() => predictionLog.stats());
  // Unfinished jobs of an earlier run start again here, exactly once each.
  const jobs = JobQueue.openBackend({
    file: join(stateDir, "jobs.sqlite"),
    // Set to share one queue between server replicas (redis://host:6379); SQLite otherwise.
    redisUrl: process.env.KILN_JOBS_REDIS_URL,
    models: (name) => registry.get(name),
    recorder: predictionLog,
  });
  jobs.start();
  const reader = new PredictionLogReader(lake);
  const feedback = new FeedbackStore(lake, reader, predictionLog);
  const runs = new PipelineRunManager({
    stateDir,
    notebooksRoot: options.notebooksRoot ?? kilnPaths.notebooks,
    ...(options.trackingUri ? { trackingUri: options.trackingUri } : {}),
  });
  // Policies resume their schedules: checks, alerts and retraining (docs/monitoring.md).
  const health = endpointHealth({
    stateDir,
    lakeUri: lake.uri,
    log: predictionLog,
    reader,
    feedback,
    endpoints,
    registry,
    runs,
  });
  health.monitor.start();
  const app = createKilnApp({
    metrics,
    jobs,
    monitoring: {
      log: predictionLog,
      settings,
      reader,
      feedback,
      lakeUri: lake.uri,
      declaredTask: (endpoint) => bundleTask(stateDir, endpoints, endpoint),
      trainingErrors: (endpoint) => {
        const bundle = endpoints.servedBundle(endpoint);
        return bundle && trainingReconstructionErrors(bundle);
      },
    },
    ...(options.trackingUri ? { trackingUri: options.trackingUri } : {}),
    serving: {
      registry,
      batchers,
      endpoints,
    },
    keys: watchApiKeys(
      keysFile,
      process.env,
      options.sessionAdminKey ? [{ scope: "admin", key: options.sessionAdminKey }] : [],
    ),
    runs,
    health,
  });
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? (await freePort());
  const server = await new Promise<ServerType>((ready, fail) => {
    const s = serve({ fetch: app.fetch, port, hostname: host }, () => ready(s));
    s.once("error", fail);
  });
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    keysFile,
    // Drains: no new connections, requests in flight answered, running job batches finished,
    // then the prediction log's queue written.
    stop: async () => {
      const closed = new Promise<void>((done) => server.close(() => done()));
      // Idle keep-alive connections would hold close() until they time out.
      if ("closeIdleConnections" in server) server.closeIdleConnections();
      await closed;
      await health.monitor.stop();
      await jobs.stop();
      await predictionLog.close();
    },
  };
}
