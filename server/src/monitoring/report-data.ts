import { dq, monitoring, type LoadedBundle } from "@kiln/kernel-lib";
import type { EndpointState } from "../serving/endpoint-manager";
import type { ActionLog } from "./action-log";
import type { PerformanceReport } from "./performance-report";
import type { PolicyStore } from "./policy-store";
import { windowRows, type TrafficMonitor } from "./traffic-window";
import type { UsageReport } from "./usage-report";

type ReportDataDeps = {
  traffic: TrafficMonitor;
  policies: PolicyStore;
  actions: ActionLog;
  endpoint: (name: string) => EndpointState | undefined;
  bundle: (name: string) => LoadedBundle | undefined;
  performance: (name: string) => Promise<PerformanceReport>;
  usage: (name: string, days: number) => Promise<UsageReport>;
};

/** Rows the report's drift and data-quality sections look at when no policy says otherwise. */
const DEFAULT_WINDOW = 500;

/**
 * Gathers what the HTML report of an endpoint shows (`kiln.monitoring.renderReport`): drift of
 * the recent window per feature with both distributions, the policy's data-quality suite on that
 * window, performance over time, usage per day and the action log. A section that cannot be
 * measured says why instead of failing the report.
 *
 * @example
 * const data = await monitoringReportData(deps, "quality"); // GET /api/endpoints/quality/report.json
 */
export async function monitoringReportData(
  deps: ReportDataDeps,
  name: string,
): Promise<monitoring.MonitoringReportData | undefined> {
  const state = deps.endpoint(name);
  if (!state) return undefined;
  const policy = deps.policies.get(name);
  const window = await deps.traffic.window(name, policy?.window ?? DEFAULT_WINDOW);
  const data: monitoring.MonitoringReportData = {
    endpoint: name,
    model: {
      name: state.current.model,
      version: state.current.version,
      ...(state.pipeline ? { pipeline: state.pipeline } : {}),
    },
    generatedAt: new Date().toISOString(),
    actions: deps.actions.recent(name, 100),
  };
  if ("unavailable" in window) {
    data.drift = window;
    data.dq = window;
  } else {
    data.window = { rows: window.value.rows };
    const drift = deps.traffic.drift(name, window.value, policy?.drift ?? {});
    data.drift =
      "unavailable" in drift
        ? drift
        : {
            ...drift.value,
            distributions: monitoring.driftDistributions(
              referenceColumns(deps.bundle(name), Object.keys(drift.value.features)),
              pick(window.value.inputs, Object.keys(drift.value.features)),
              drift.value,
            ),
          };
    data.dq = policy?.dq
      ? await dq.check(windowRows(window.value), dq.defineSuite(policy.dq))
      : { unavailable: "no data-quality suite: add one to the endpoint's policy (dq)" };
  }
  data.performance = await section(async () => {
    const report = await deps.performance(name);
    if (report.rows === 0) return { unavailable: "no labelled predictions yet" };
    return {
      task: report.task,
      chunks: report.chunks.map((chunk) => ({
        start: chunk.start,
        end: chunk.end,
        rows: chunk.rows,
        metrics: chunk.metrics,
        alert: chunk.alerts,
      })),
      band: report.reference.bands,
    };
  });
  data.usage = await section(async () => {
    const usage = await deps.usage(name, 14);
    return {
      days: usage.daily.map((day) => ({
        day: day.date,
        requests: day.requests,
        rows: day.rows,
        errors: day.errors["4xx"] + day.errors["5xx"],
        fallbackRows: Math.round((day.fallbackRate ?? 0) * day.rows),
        ...(day.latencyMs.p50 !== null ? { p50Ms: day.latencyMs.p50 } : {}),
        ...(day.latencyMs.p95 !== null ? { p95Ms: day.latencyMs.p95 } : {}),
        ...(day.latencyMs.p99 !== null ? { p99Ms: day.latencyMs.p99 } : {}),
        byVersion: Object.fromEntries(
          Object.entries(day.versions).map(([version, v]) => [version, v.requests]),
        ),
      })),
    };
  });
  return data;
}

async function section<T>(build: () => Promise<T | { unavailable: string }>) {
  try {
    return await build();
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
}

function referenceColumns(
  bundle: LoadedBundle | undefined,
  names: string[],
): monitoring.FeatureColumns {
  return pick(monitoring.referenceFromBundle(bundle?.reference), names);
}

function pick<T>(columns: Readonly<Record<string, T>>, names: string[]): Record<string, T> {
  return Object.fromEntries(names.map((name) => [name, columns[name]!]));
}
