import { dq, monitoring, type LoadedBundle } from "@kiln/kernel-lib";
import type { Measured, MonitoringSnapshot } from "./policy-conditions";
import type { EndpointPolicy, PerformanceMetric } from "./policy-definition";
import type { ColumnValues, PredictionLogReader } from "./prediction-log-reader";
import { monitoringTables } from "./prediction-log-lake";
import { INPUT_PREFIX } from "./prediction-log-table";
import { parseDuration } from "./performance-query";

/** The last rows an endpoint served, as logged: one column of values per input feature. */
export type TrafficWindow = {
  rows: number;
  /** Feature name → its values in the window (null: missing). */
  inputs: Record<string, ColumnValues>;
  /** Whether each row was answered by the fallback model. */
  fallback: boolean[];
};

type TrafficWindowDeps = {
  reader: PredictionLogReader;
  /** Writes what the prediction log still holds in memory, so a window sees every answered row. */
  flush: () => Promise<void>;
  /** The bundle an endpoint serves now. */
  bundle: (endpoint: string) => LoadedBundle | undefined;
  /**
   * The endpoint's performance over labelled predictions: the overall metrics, and the metrics
   * of the latest chunk outside their alert band.
   */
  performance: (
    endpoint: string,
  ) => Promise<Measured<{ metrics: Partial<Record<PerformanceMetric, number>>; alerts: string[] }>>;
};

/**
 * Measures endpoints' recent traffic for monitoring: the last N logged rows, their drift against
 * the served bundle's reference sample (Evidently's methods, kernel-lib/src/monitoring/drift),
 * their fallback rate and data-quality scores, and the performance from labels.
 *
 * @example
 * const traffic = new TrafficMonitor({ reader, flush: () => log.flush(), bundle, performance });
 * const snapshot = await traffic.snapshot("quality", policy);
 */
export class TrafficMonitor {
  readonly #deps: TrafficWindowDeps;

  constructor(deps: TrafficWindowDeps) {
    this.#deps = deps;
  }

  /**
   * The last `size` rows the endpoint served, or those of the last `size` duration (`"6h"`), or
   * why there are none.
   */
  async window(endpoint: string, size: number | string): Promise<Measured<TrafficWindow>> {
    await this.#deps.flush();
    const table = monitoringTables(endpoint).predictions;
    const columns = await this.#deps.reader.columns(table);
    if (!columns) return { unavailable: "no predictions logged yet" };
    const inputs = columns.filter((name) => name.startsWith(INPUT_PREFIX));
    const wanted = ["fallback", ...inputs];
    const recent =
      typeof size === "number"
        ? await this.#deps.reader.recent(table, size, wanted)
        : await this.#since(table, wanted, Date.now() - (parseDuration(size) ?? 0));
    const rows = recent?.["fallback"]?.length ?? 0;
    if (!recent || rows === 0) {
      return {
        unavailable:
          typeof size === "number"
            ? "no predictions logged yet"
            : `no predictions logged in the last ${size}`,
      };
    }
    return {
      value: {
        rows,
        inputs: Object.fromEntries(
          inputs.map((name) => [name.slice(INPUT_PREFIX.length), recent[name]!]),
        ),
        fallback: recent["fallback"]!.map(Boolean),
      },
    };
  }

  async #since(
    table: string,
    columns: string[],
    since: number,
  ): Promise<Record<string, ColumnValues>> {
    const found: Record<string, ColumnValues> = Object.fromEntries(columns.map((n) => [n, []]));
    await this.#deps.reader.scan(
      table,
      columns,
      (batch) => {
        for (const name of columns) found[name]!.push(...batch[name]!);
      },
      since,
    );
    return found;
  }

  /**
   * Drift of a window against the served bundle's reference sample, per feature and for the
   * dataset; unavailable when the bundle has no reference sample or shares no feature with it.
   */
  drift(
    endpoint: string,
    window: TrafficWindow,
    options: EndpointPolicy["drift"] = {},
  ): Measured<monitoring.DriftReport> {
    const bundle = this.#deps.bundle(endpoint);
    if (!bundle) return { unavailable: "the endpoint serves no model" };
    let reference: monitoring.FeatureColumns;
    try {
      reference = monitoring.referenceFromBundle(bundle.reference);
    } catch (error) {
      return { unavailable: (error as Error).message };
    }
    const shared = Object.keys(reference).filter((name) => name in window.inputs);
    if (shared.length === 0) {
      return { unavailable: "the logged inputs share no feature with the reference sample" };
    }
    try {
      return {
        value: monitoring.detectDrift(
          Object.fromEntries(shared.map((name) => [name, reference[name]!])),
          Object.fromEntries(shared.map((name) => [name, window.inputs[name]!])),
          {
            ...(options.datasetThreshold === undefined
              ? {}
              : { driftShare: options.datasetThreshold }),
            ...(options.method === undefined ? {} : { method: options.method }),
            ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
          },
        ),
      };
    } catch (error) {
      if (error instanceof monitoring.DriftError) return { unavailable: error.message };
      throw error;
    }
  }

  /** Everything a policy's conditions look at, measured once. */
  async snapshot(endpoint: string, policy: EndpointPolicy): Promise<MonitoringSnapshot> {
    const window = await this.window(endpoint, policy.window);
    const measured = await this.#deps.performance(endpoint);
    const performance = "unavailable" in measured ? measured : { value: measured.value.metrics };
    const performanceAlerts =
      "unavailable" in measured ? measured : { value: measured.value.alerts };
    if ("unavailable" in window) {
      return {
        rows: 0,
        drift: window,
        fallbackRate: window,
        dq: window,
        performance,
        performanceAlerts,
      };
    }
    const { value } = window;
    const drift = this.drift(endpoint, value, policy.drift ?? {});
    return {
      rows: value.rows,
      drift:
        "unavailable" in drift
          ? drift
          : {
              value: {
                share: drift.value.share,
                datasetDrift: drift.value.datasetDrift,
                drifted: Object.entries(drift.value.features)
                  .filter(([, feature]) => feature.drifted)
                  .map(([name]) => name),
              },
            },
      fallbackRate: { value: value.fallback.filter(Boolean).length / value.rows },
      dq:
        policy.dq === undefined
          ? { unavailable: "the policy has no dq suite" }
          : await dqScores(policy.dq, value),
      performance,
      performanceAlerts,
    };
  }
}

/** The window as row objects (feature → value), what data-quality suites check. */
export function windowRows(window: TrafficWindow): Record<string, ColumnValues[number]>[] {
  const names = Object.keys(window.inputs);
  return Array.from({ length: window.rows }, (_, i) =>
    Object.fromEntries(names.map((name) => [name, window.inputs[name]![i] ?? null])),
  );
}

async function dqScores(
  suite: unknown,
  window: TrafficWindow,
): Promise<Measured<Record<string, number>>> {
  const result = await dq.check(windowRows(window), dq.defineSuite(suite));
  const scores: Record<string, number> = { overall: result.score };
  for (const [dimension, { score }] of Object.entries(result.dimensions)) {
    if (score !== null) scores[dimension] = score;
  }
  return { value: scores };
}
