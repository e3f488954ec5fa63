import { Hono } from "hono";
import { cors } from "hono/cors";
import type { ApiKeys } from "../auth/api-keys";
import type { PipelineRunManager } from "../pipelines/run-manager";
import type { EndpointManager } from "../serving/endpoint-manager";
import {
  mlflowInvocationsRoutes,
  openInferenceRoutes,
  type EndpointBatchers,
  type EndpointRegistry,
} from "../serving";
import { endpointsRoutes } from "./endpoints-routes";
import { infoRoutes } from "./info-routes";
import { jobsRoutes, type JobBackend } from "../jobs";
import { httpMetrics, metricsRoutes, type KilnMetrics } from "../observability";
import { kilnOpenApiDocument, openApiRoutes } from "../openapi";
import { monitoringRoutes, type MonitoringDeps } from "../monitoring/monitoring-routes";
import type { PredictionLog } from "../monitoring/prediction-log";
import { requestIds } from "../monitoring/request-ids";
import type { EndpointHealth } from "../monitoring/endpoint-health";
import { policyRoutes } from "../monitoring/policy-routes";
import { reportRoutes } from "../monitoring/report-routes";
import { toErrorResponse } from "./error-responses";
import { pipelinesRoutes } from "./pipelines-routes";
import { requireScope } from "./require-scope";

export type KilnAppDeps = {
  /** The keys accepted now (re-read when the key file changes). */
  keys: () => ApiKeys;
  runs: PipelineRunManager;
  serving: { registry: EndpointRegistry; batchers: EndpointBatchers; endpoints: EndpointManager };
  jobs: JobBackend;
  metrics: KilnMetrics;
  /** The MLflow server pipeline runs are tracked in; clients link to its UI (`GET /api/info`). */
  trackingUri?: string;
  /**
   * The prediction log (every answered scoring request) and what reads it: feedback,
   * performance, usage. Without it nothing is logged and the monitoring routes answer 503.
   */
  monitoring?: Omit<MonitoringDeps, "served" | "endpoints"> & { log: PredictionLog };
  /** Policies, checks and retraining of endpoints (docs/monitoring.md); absent: no such routes. */
  health?: EndpointHealth;
};

/**
 * Kiln's HTTP API as a Hono app (served by `kiln serve`; tests call `app.request(...)`).
 *
 * @example
 * const app = createKilnApp({ keys, runs, serving });
 * serve({ fetch: app.fetch, port: 8700, hostname: "127.0.0.1" });
 */
export function createKilnApp(deps: KilnAppDeps): Hono {
  const app = new Hono();
  // First, so that every answer is counted, refusals by the key checks included.
  app.use("*", httpMetrics(deps.metrics));
  // Every answer carries an X-Request-Id (the client's, when safe): the prediction log's key.
  app.use("*", requestIds());
  // Kiln's JupyterLab extension calls this API from the browser, from JupyterLab's origin. Keys
  // travel in headers, never in cookies, so a page of any origin gets no more than curl does.
  app.use(
    "*",
    cors({
      origin: "*",
      allowHeaders: ["Authorization", "Content-Type", "X-Kiln-Key", "X-Request-Id"],
      exposeHeaders: ["X-Request-Id", "X-Kiln-Model-Version", "X-Kiln-Fallback"],
    }),
  );
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.route("/", metricsRoutes(deps.metrics.registry));
  app.route("/", openApiRoutes(kilnOpenApiDocument()));
  app.use("/api/info", requireScope(deps.keys, "predict"));
  app.route("/api/info", infoRoutes({ trackingUri: deps.trackingUri }));
  app.use("/api/pipelines/*", requireScope(deps.keys, "admin"));
  app.use("/api/pipelines", requireScope(deps.keys, "admin"));
  app.route("/api/pipelines", pipelinesRoutes(deps.runs));
  app.use("/api/endpoints/*", requireScope(deps.keys, "admin"));
  app.use("/api/endpoints", requireScope(deps.keys, "admin"));
  app.route(
    "/api/endpoints",
    endpointsRoutes(deps.serving.endpoints, {
      usage: (name) => deps.metrics.usageOf(name),
      ...(deps.health ? { monitoring: (name: string) => deps.health!.monitor.status(name) } : {}),
    }),
  );
  // Predictions need the predict key (an admin key passes too); /v2 and /v2/health/* stay open
  // for load balancers' probes.
  app.use("/v2/models/*", requireScope(deps.keys, "predict"));
  app.use("/endpoints/*", requireScope(deps.keys, "predict"));
  app.use("/jobs/*", requireScope(deps.keys, "predict"));
  const scoring = {
    ...deps.serving,
    metrics: deps.metrics,
    ...(deps.monitoring ? { predictionLog: deps.monitoring.log } : {}),
  };
  app.route("/", openInferenceRoutes(scoring));
  app.route("/", mlflowInvocationsRoutes(scoring));
  // Feedback is under /endpoints/* (predict key); performance, usage and the log's settings
  // under /api/endpoints/* (admin key).
  app.route(
    "/",
    monitoringRoutes(
      deps.monitoring && {
        ...deps.monitoring,
        served: (name) => deps.serving.registry.get(name),
        endpoints: () => deps.serving.endpoints.list().map((endpoint) => endpoint.name),
      },
    ),
  );
  if (deps.health) {
    const { monitor, policies, actions } = deps.health;
    app.route(
      "/api/endpoints",
      policyRoutes({
        monitor,
        policies,
        actions,
        hasEndpoint: (name) => deps.serving.endpoints.list().some((e) => e.name === name),
      }),
    );
    app.route("/api/endpoints", reportRoutes(deps.health));
  }
  app.route("/", jobsRoutes(deps.jobs, { maxBodyBytes: 50 * 1024 * 1024 }));
  app.notFound((c) =>
    c.json(
      { error: { code: "NOT_FOUND", message: `No route ${c.req.method} ${c.req.path}.` } },
      404,
    ),
  );
  app.onError((error, c) => {
    const { status, body } = toErrorResponse(error);
    return c.json(body, status);
  });
  return app;
}
