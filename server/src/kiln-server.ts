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
  // Unfinished jobs of an earlier run start again here, exactly once each.
  const jobs = JobQueue.openBackend({
    file: join(stateDir, "jobs.sqlite"),
    // Set to share one queue between server replicas (redis://host:6379); SQLite otherwise.
    redisUrl: process.env.KILN_JOBS_REDIS_URL,
    models: (name) => registry.get(name),
  });
  jobs.start();
  const app = createKilnApp({
    metrics,
    jobs,
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
    runs: new PipelineRunManager({
      stateDir,
      notebooksRoot: options.notebooksRoot ?? kilnPaths.notebooks,
      ...(options.trackingUri ? { trackingUri: options.trackingUri } : {}),
    }),
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
    // Drains: no new connections, requests in flight answered, running job batches finished.
    stop: async () => {
      const closed = new Promise<void>((done) => server.close(() => done()));
      // Idle keep-alive connections would hold close() until they time out.
      if ("closeIdleConnections" in server) server.closeIdleConnections();
      await closed;
      await jobs.stop();
    },
  };
}
