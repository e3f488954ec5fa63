import { Cron } from "croner";
import { dq, monitoring } from "@kiln/kernel-lib";
import { parseDuration } from "./performance-query";

/** Metrics a retrained model is compared on, on the holdout set. */
export const HOLDOUT_METRICS = [
  "mae",
  "rmse",
  "accuracy",
  "f1",
  "auc",
  "reconstruction_mse",
] as const;
export type HoldoutMetric = (typeof HOLDOUT_METRICS)[number];

/** Metrics where a lower value is better. */
export const LOWER_IS_BETTER: ReadonlySet<HoldoutMetric> = new Set([
  "mae",
  "rmse",
  "reconstruction_mse",
]);

/** Performance metrics a condition can watch (from labels sent to the feedback route). */
export const PERFORMANCE_METRICS = ["mae", "rmse", "accuracy", "f1", "auc"] as const;
export type PerformanceMetric = (typeof PERFORMANCE_METRICS)[number];

/**
 * One condition of a policy; the policy acts when any of its conditions holds.
 * - `drift_share`: share of features drifted in the last `window` predictions, above a value.
 * - `dataset_drift`: the dataset-drift verdict (share of drifted features ≥ the drift threshold).
 * - `dq_score`: a data-quality dimension's score (or `overall`) on the window, below a value.
 * - `performance`: a metric over the labelled predictions, above or below a value.
 * - `performance_alert`: the latest chunk of the performance report is outside its alert band.
 * - `fallback_rate`: share of rows of the window the fallback model answered, above a value.
 */
export type PolicyCondition =
  | { metric: "drift_share"; above: number }
  | { metric: "dataset_drift" }
  | { metric: "dq_score"; dimension: string; below: number }
  | { metric: "performance"; name: PerformanceMetric; above?: number; below?: number }
  | { metric: "performance_alert" }
  | { metric: "fallback_rate"; above: number };

/** What a policy does when a condition holds: record an alert (optionally POSTed), retrain. */
export type PolicyAction = { type: "alert"; webhook?: string } | { type: "retrain" };

/** How to retrain an endpoint and decide whether the new model replaces the champion. */
export type RetrainSpec = {
  /** Params of the pipeline run (the endpoint's pipeline version is re-run, cache bypassed). */
  params?: Record<string, unknown>;
  /** A lake table both models are scored on; `label` is the target column (none for reconstruction). */
  holdout: { table: string; version?: number; tag?: string; label?: string };
  metric: HoldoutMetric;
  /** How much better the new model must be to be promoted (absolute, in the metric's units). */
  minImprovement: number;
};

/** A validated policy of one endpoint. */
export type EndpointPolicy = {
  /**
   * What the drift, data-quality and fallback conditions look at: the last N served rows, or the
   * rows served in the last duration (`"6h"`, `"2d"`: minutes m, hours h, days d, weeks w).
   */
  window: number | string;
  /** Cron expression for monitoring checks; without it checks run only when asked. */
  schedule?: string;
  conditions: PolicyCondition[];
  actions: PolicyAction[];
  retrain?: RetrainSpec;
  /** Cron expression for retraining regardless of conditions (needs `retrain`). */
  retrainSchedule?: string;
  /**
   * Drift options: the dataset-drift share threshold (default 0.5), and a method and threshold
   * for every feature instead of Evidently's defaults (e.g. `psi` with 0.2).
   */
  drift?: { datasetThreshold?: number; method?: monitoring.DriftMethod; threshold?: number };
  /** A data-quality suite (docs/data-quality.md) checked on the window for `dq_score`. */
  dq?: unknown;
};

/** A policy that cannot be used, with every problem found (each naming its path). */
export class PolicyDefinitionError extends Error {
  override name = "PolicyDefinitionError";

  constructor(readonly problems: string[]) {
    super(
      `The policy is not valid: ${problems.join("; ")}. See docs/monitoring.md for the format.`,
    );
  }
}

const DEFAULT_WINDOW = 500;

/**
 * Checks a policy given as JSON and fills in defaults. Every problem is reported at once.
 *
 * @example
 * definePolicy({
 *   conditions: [{ metric: "drift_share", above: 0.5 }],
 *   actions: [{ type: "alert" }, { type: "retrain" }],
 *   retrain: { holdout: { table: "holdout", label: "y" }, metric: "mae" },
 * });
 * @throws PolicyDefinitionError listing each problem with its path.
 */
export function definePolicy(input: unknown): EndpointPolicy {
  const problems: string[] = [];
  if (!isObject(input)) throw new PolicyDefinitionError(["expected a JSON object"]);
  const known = [
    "window",
    "schedule",
    "conditions",
    "actions",
    "retrain",
    "retrainSchedule",
    "drift",
    "dq",
  ];
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) problems.push(`${key}: unknown field (known: ${known.join(", ")})`);
  }
  const window = input.window ?? DEFAULT_WINDOW;
  const rows = Number.isInteger(window) && (window as number) >= 10 && (window as number) <= 1e6;
  const duration = typeof window === "string" && parseDuration(window) !== undefined;
  if (!rows && !duration) {
    problems.push(
      `window: expected a row count from 10 to 1000000 or a duration like "6h" or "2d", got ${show(input.window)}`,
    );
  }
  for (const key of ["schedule", "retrainSchedule"] as const) {
    const value = input[key];
    if (value !== undefined) checkCron(value, key, problems);
  }
  const conditions = Array.isArray(input.conditions) ? input.conditions : [];
  if (input.conditions !== undefined && !Array.isArray(input.conditions)) {
    problems.push(`conditions: expected a list, got ${show(input.conditions)}`);
  }
  conditions.forEach((condition, i) => checkCondition(condition, `conditions[${i}]`, problems));
  const actions = Array.isArray(input.actions) ? input.actions : [];
  if (input.actions !== undefined && !Array.isArray(input.actions)) {
    problems.push(`actions: expected a list, got ${show(input.actions)}`);
  }
  actions.forEach((action, i) => checkAction(action, `actions[${i}]`, problems));
  if (conditions.length > 0 && actions.length === 0) {
    problems.push('actions: conditions need at least one action ({"type": "alert"})');
  }
  if (actions.length > 0 && conditions.length === 0) {
    problems.push("conditions: actions need at least one condition to trigger them");
  }
  const retrain = input.retrain === undefined ? undefined : checkRetrain(input.retrain, problems);
  const wantsRetrain =
    actions.some((a) => isObject(a) && a.type === "retrain") || input.retrainSchedule !== undefined;
  if (wantsRetrain && input.retrain === undefined) {
    problems.push(
      'retrain: a retrain action or retrainSchedule needs "retrain": {"holdout": {"table": ...}, "metric": ...}',
    );
  }
  const drift = input.drift;
  if (drift !== undefined) checkDrift(drift, problems);
  if (input.dq !== undefined) {
    for (const problem of dq.suiteProblems(input.dq)) {
      problems.push(`dq.${problem.path}: ${problem.message}`);
    }
  }
  if (conditions.some((c) => isObject(c) && c.metric === "dq_score") && input.dq === undefined) {
    problems.push('dq: a dq_score condition needs a data-quality suite in "dq"');
  }
  if (problems.length > 0) throw new PolicyDefinitionError(problems);
  return {
    window: window as number | string,
    ...(input.schedule !== undefined ? { schedule: input.schedule as string } : {}),
    conditions: conditions as PolicyCondition[],
    actions: actions as PolicyAction[],
    ...(retrain ? { retrain } : {}),
    ...(input.retrainSchedule !== undefined
      ? { retrainSchedule: input.retrainSchedule as string }
      : {}),
    ...(drift !== undefined ? { drift: drift as EndpointPolicy["drift"] } : {}),
    ...(input.dq !== undefined ? { dq: input.dq } : {}),
  };
}

function checkDrift(drift: unknown, problems: string[]): void {
  if (!isObject(drift)) {
    problems.push(
      `drift: expected {"datasetThreshold"?, "method"?, "threshold"?}, got ${show(drift)}`,
    );
    return;
  }
  const methods = Object.keys(monitoring.DRIFT_METHODS);
  for (const key of Object.keys(drift)) {
    if (!["datasetThreshold", "method", "threshold"].includes(key)) {
      problems.push(`drift.${key}: unknown field (known: datasetThreshold, method, threshold)`);
    }
  }
  if (drift.datasetThreshold !== undefined && !isFraction(drift.datasetThreshold)) {
    problems.push(
      `drift.datasetThreshold: expected a number from 0 to 1, got ${show(drift.datasetThreshold)}`,
    );
  }
  if (drift.method !== undefined && !methods.includes(drift.method as string)) {
    problems.push(`drift.method: expected one of ${methods.join(", ")}, got ${show(drift.method)}`);
  }
  if (
    drift.threshold !== undefined &&
    (typeof drift.threshold !== "number" || !(drift.threshold > 0))
  ) {
    problems.push(`drift.threshold: expected a number above 0, got ${show(drift.threshold)}`);
  }
}

function checkCron(value: unknown, path: string, problems: string[]): void {
  if (typeof value !== "string") {
    problems.push(`${path}: expected a cron expression like "*/15 * * * *", got ${show(value)}`);
    return;
  }
  try {
    new Cron(value, { paused: true }).stop();
  } catch (error) {
    problems.push(`${path}: "${value}" is not a cron expression (${(error as Error).message})`);
  }
}

function checkCondition(condition: unknown, path: string, problems: string[]): void {
  if (!isObject(condition)) {
    problems.push(`${path}: expected an object like {"metric": "drift_share", "above": 0.5}`);
    return;
  }
  const number = (key: string) => {
    if (typeof condition[key] !== "number" || !Number.isFinite(condition[key])) {
      problems.push(`${path}.${key}: expected a number, got ${show(condition[key])}`);
    }
  };
  switch (condition.metric) {
    case "drift_share":
    case "fallback_rate":
      number("above");
      return;
    case "dataset_drift":
    case "performance_alert":
      return;
    case "dq_score":
      if (typeof condition.dimension !== "string") {
        problems.push(
          `${path}.dimension: expected a dimension name (completeness, validity, uniqueness, consistency, timeliness, accuracy) or "overall"`,
        );
      }
      number("below");
      return;
    case "performance":
      if (!PERFORMANCE_METRICS.includes(condition.name as PerformanceMetric)) {
        problems.push(
          `${path}.name: expected one of ${PERFORMANCE_METRICS.join(", ")}, got ${show(condition.name)}`,
        );
      }
      if (condition.above === undefined && condition.below === undefined) {
        problems.push(`${path}: a performance condition needs "above" or "below"`);
      }
      if (condition.above !== undefined) number("above");
      if (condition.below !== undefined) number("below");
      return;
    default:
      problems.push(
        `${path}.metric: expected one of drift_share, dataset_drift, dq_score, performance, performance_alert, fallback_rate, got ${show(condition.metric)}`,
      );
  }
}

function checkAction(action: unknown, path: string, problems: string[]): void {
  if (!isObject(action) || (action.type !== "alert" && action.type !== "retrain")) {
    problems.push(`${path}: expected {"type": "alert", "webhook"?: URL} or {"type": "retrain"}`);
    return;
  }
  if (action.type === "alert" && action.webhook !== undefined) {
    const url = typeof action.webhook === "string" ? URL.parse(action.webhook) : null;
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
      problems.push(`${path}.webhook: expected an http(s) URL, got ${show(action.webhook)}`);
    }
  }
}

function checkRetrain(retrain: unknown, problems: string[]): RetrainSpec | undefined {
  if (!isObject(retrain)) {
    problems.push(`retrain: expected an object, got ${show(retrain)}`);
    return undefined;
  }
  const holdout = retrain.holdout;
  if (!isObject(holdout) || typeof holdout.table !== "string" || holdout.table === "") {
    problems.push(
      'retrain.holdout: expected {"table": "<lake table>", "label"?: "<column>", "version"?: n, "tag"?: "..."}',
    );
  } else {
    if (holdout.label !== undefined && typeof holdout.label !== "string") {
      problems.push(`retrain.holdout.label: expected a column name, got ${show(holdout.label)}`);
    }
    if (holdout.version !== undefined && !Number.isInteger(holdout.version)) {
      problems.push(`retrain.holdout.version: expected an integer, got ${show(holdout.version)}`);
    }
    if (holdout.tag !== undefined && typeof holdout.tag !== "string") {
      problems.push(`retrain.holdout.tag: expected a string, got ${show(holdout.tag)}`);
    }
  }
  const metric = retrain.metric as HoldoutMetric;
  if (!HOLDOUT_METRICS.includes(metric)) {
    problems.push(
      `retrain.metric: expected one of ${HOLDOUT_METRICS.join(", ")}, got ${show(retrain.metric)}`,
    );
  } else if (metric !== "reconstruction_mse" && isObject(holdout) && holdout.label === undefined) {
    problems.push(`retrain.holdout.label: metric ${metric} needs the holdout's label column`);
  }
  const minImprovement = retrain.minImprovement ?? 0;
  if (typeof minImprovement !== "number" || !(minImprovement >= 0)) {
    problems.push(
      `retrain.minImprovement: expected a number >= 0, got ${show(retrain.minImprovement)}`,
    );
  }
  if (retrain.params !== undefined && !isObject(retrain.params)) {
    problems.push(
      `retrain.params: expected an object of pipeline params, got ${show(retrain.params)}`,
    );
  }
  return {
    ...(isObject(retrain.params) ? { params: retrain.params } : {}),
    holdout: holdout as RetrainSpec["holdout"],
    metric,
    minImprovement: minImprovement as number,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFraction(value: unknown): boolean {
  return typeof value === "number" && value >= 0 && value <= 1;
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
