import type { EndpointPolicy, PerformanceMetric, PolicyCondition } from "./policy-definition";

/** A measured value, or why it could not be measured (no traffic yet, no labels, …). */
export type Measured<T> = { value: T } | { unavailable: string };

/** What a monitoring check measured on an endpoint's recent traffic. */
export type MonitoringSnapshot = {
  /** Rows the window held. */
  rows: number;
  drift: Measured<{ share: number; datasetDrift: boolean; drifted: string[] }>;
  fallbackRate: Measured<number>;
  /** Score per data-quality dimension and `overall`, from the policy's suite. */
  dq: Measured<Record<string, number>>;
  performance: Measured<Partial<Record<PerformanceMetric, number>>>;
  /** Metrics of the latest performance chunk outside their alert band (empty: none). */
  performanceAlerts: Measured<string[]>;
};

/** One condition as evaluated: the value seen and whether the condition holds. */
export type ConditionOutcome = {
  condition: PolicyCondition;
  holds: boolean;
  /** The value compared (null when it could not be measured). */
  value: number | boolean | null;
  /** e.g. `drift_share 0.75 > 0.5`, or why the condition could not be evaluated. */
  summary: string;
};

/**
 * Evaluates a policy's conditions on a snapshot. A condition whose value could not be measured
 * does not hold (a check must not retrain a model because there were no labels yet) and says why.
 *
 * @example
 * evaluateConditions(policy, snapshot).filter((c) => c.holds).map((c) => c.summary);
 */
export function evaluateConditions(
  policy: EndpointPolicy,
  snapshot: MonitoringSnapshot,
): ConditionOutcome[] {
  return policy.conditions.map((condition) => evaluate(condition, snapshot));
}

function evaluate(condition: PolicyCondition, snapshot: MonitoringSnapshot): ConditionOutcome {
  const unavailable = (measured: { unavailable: string }) => ({
    condition,
    holds: false,
    value: null,
    summary: `${condition.metric}: not evaluated (${measured.unavailable})`,
  });
  switch (condition.metric) {
    case "drift_share": {
      if ("unavailable" in snapshot.drift) return unavailable(snapshot.drift);
      return compare(condition, "drift_share", snapshot.drift.value.share, {
        above: condition.above,
      });
    }
    case "dataset_drift": {
      if ("unavailable" in snapshot.drift) return unavailable(snapshot.drift);
      const drifted = snapshot.drift.value.datasetDrift;
      return {
        condition,
        holds: drifted,
        value: drifted,
        summary: `dataset_drift ${drifted ? "detected" : "not detected"} (${snapshot.drift.value.drifted.join(", ") || "no feature drifted"})`,
      };
    }
    case "fallback_rate": {
      if ("unavailable" in snapshot.fallbackRate) return unavailable(snapshot.fallbackRate);
      return compare(condition, "fallback_rate", snapshot.fallbackRate.value, {
        above: condition.above,
      });
    }
    case "dq_score": {
      if ("unavailable" in snapshot.dq) return unavailable(snapshot.dq);
      const score = snapshot.dq.value[condition.dimension];
      if (score === undefined) {
        return unavailable({ unavailable: `the suite has no ${condition.dimension} expectations` });
      }
      return compare(condition, `dq_score ${condition.dimension}`, score, {
        below: condition.below,
      });
    }
    case "performance_alert": {
      if ("unavailable" in snapshot.performanceAlerts) {
        return unavailable(snapshot.performanceAlerts);
      }
      const alerts = snapshot.performanceAlerts.value;
      return {
        condition,
        holds: alerts.length > 0,
        value: alerts.length > 0,
        summary:
          alerts.length > 0
            ? `performance_alert: ${alerts.join(", ")} outside the band in the latest chunk`
            : "performance_alert: the latest chunk is within the bands",
      };
    }
    case "performance": {
      if ("unavailable" in snapshot.performance) return unavailable(snapshot.performance);
      const value = snapshot.performance.value[condition.name];
      if (value === undefined) return unavailable({ unavailable: `no ${condition.name} measured` });
      return compare(condition, condition.name, value, {
        ...(condition.above !== undefined ? { above: condition.above } : {}),
        ...(condition.below !== undefined ? { below: condition.below } : {}),
      });
    }
  }
}

function compare(
  condition: PolicyCondition,
  label: string,
  value: number,
  bounds: { above?: number; below?: number },
): ConditionOutcome {
  const over = bounds.above !== undefined && value > bounds.above;
  const under = bounds.below !== undefined && value < bounds.below;
  const shown = Number(value.toFixed(4));
  const summary = over
    ? `${label} ${shown} > ${bounds.above}`
    : under
      ? `${label} ${shown} < ${bounds.below}`
      : `${label} ${shown} within bounds`;
  return { condition, holds: over || under, value, summary };
}
