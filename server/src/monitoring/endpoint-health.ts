import { data } from "@kiln/kernel-lib";
import type { PipelineRunManager } from "../pipelines/run-manager";
import type { EndpointManager } from "../serving/endpoint-manager";
import type { EndpointRegistry } from "../serving/endpoint-registry";
import { ActionLog } from "./action-log";
import { EndpointMonitor } from "./endpoint-monitor";
import type { FeedbackStore } from "./feedback-store";
import { PERFORMANCE_METRICS, type PerformanceMetric } from "./policy-definition";
import { PolicyStore } from "./policy-store";
import type { PredictionLog } from "./prediction-log";
import type { PredictionLogReader } from "./prediction-log-reader";
import { parsePerformanceQuery } from "./performance-query";
import { performanceReport, type PerformanceReport } from "./performance-report";
import { monitoringReportData } from "./report-data";
import { usageReport } from "./usage-report";
import { bundleTask } from "./performance-task";
import { trainingReconstructionErrors } from "./reconstruction-baseline";
import { Retrainer } from "./retraining";
import { TrafficMonitor } from "./traffic-window";

type EndpointHealthDeps = {
  stateDir: string;
  /** The lake holdout tables are read from (the prediction log's). */
  lakeUri: string;
  log: PredictionLog;
  reader: PredictionLogReader;
  feedback: FeedbackStore;
  endpoints: EndpointManager;
  registry: EndpointRegistry;
  runs: PipelineRunManager;
};

/** The monitoring pieces a server runs: policies, their action log, the monitor, the traffic. */
export type EndpointHealth = {
  policies: PolicyStore;
  actions: ActionLog;
  monitor: EndpointMonitor;
  traffic: TrafficMonitor;
  /** What the endpoint's HTML report shows; undefined for an unknown endpoint. */
  reportData: (endpoint: string) => ReturnType<typeof monitoringReportData>;
};

/**
 * Builds what keeps a server's endpoints healthy: the traffic measurements (prediction log,
 * drift against the bundles' reference samples, labels), the policies and their monitor, and the
 * retrainer that re-runs pipelines and promotes only better models. Call `monitor.start()` to
 * schedule the stored policies and `monitor.stop()` on shutdown.
 *
 * @example
 * const health = endpointHealth({ stateDir, lakeUri, log, reader, feedback, endpoints, registry, runs });
 * health.monitor.start();
 */
export function endpointHealth(deps: EndpointHealthDeps): EndpointHealth {
  const policies = new PolicyStore(deps.stateDir);
  const actions = new ActionLog(deps.stateDir);
  const traffic = new TrafficMonitor({
    reader: deps.reader,
    flush: () => deps.log.flush(),
    bundle: (endpoint) => deps.endpoints.servedBundle(endpoint),
    performance: async (endpoint) => {
      try {
        const report = await performanceOf(deps, endpoint);
        if (report.rows === 0) return { unavailable: "no labelled predictions yet" };
        const metrics: Partial<Record<PerformanceMetric, number>> = {};
        for (const name of PERFORMANCE_METRICS) {
          const value = report.metrics[name];
          if (typeof value === "number") metrics[name] = value;
        }
        const latest = report.chunks.filter((chunk) => !chunk.reference).at(-1);
        return { value: { metrics, alerts: latest?.alerts ?? [] } };
      } catch (error) {
        return { unavailable: (error as Error).message };
      }
    },
  });
  const retrainer = new Retrainer({
    endpoints: deps.endpoints,
    runs: deps.runs,
    readHoldout: (holdout) =>
      data.readRows(holdout.table, {
        lake: deps.lakeUri,
        lineage: false,
        ...(holdout.version !== undefined ? { version: holdout.version } : {}),
        ...(holdout.tag !== undefined ? { tag: holdout.tag } : {}),
      }),
  });
  const monitor = new EndpointMonitor({
    policies,
    actions,
    retrainer,
    snapshot: (endpoint, policy) => traffic.snapshot(endpoint, policy),
  });
  const reportData = (endpoint: string) =>
    monitoringReportData(
      {
        traffic,
        policies,
        actions,
        endpoint: (name) => deps.endpoints.list().find((e) => e.name === name),
        bundle: (name) => deps.endpoints.servedBundle(name),
        performance: (name) => performanceOf(deps, name),
        usage: (name, days) => usageReport(deps.reader, name, days),
      },
      endpoint,
    );
  return { policies, actions, monitor, traffic, reportData };
}

/** The endpoint's performance over its labelled predictions (the default window and chunks). */
async function performanceOf(
  deps: EndpointHealthDeps,
  endpoint: string,
): Promise<PerformanceReport> {
  const query = parsePerformanceQuery(
    {},
    await bundleTask(deps.stateDir, deps.endpoints, endpoint),
  );
  return performanceReport(
    {
      reader: deps.reader,
      labels: (name) => deps.feedback.labels(name),
      features: (name) => deps.registry.get(name)?.inputs.map((f) => f.name),
      trainingErrors: (name) => {
        const bundle = deps.endpoints.servedBundle(name);
        return bundle && trainingReconstructionErrors(bundle);
      },
    },
    endpoint,
    query,
  );
}
