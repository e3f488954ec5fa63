import { describe, expect, it } from "vitest";
import { evaluateConditions, type MonitoringSnapshot } from "./policy-conditions";
import { definePolicy } from "./policy-definition";

const snapshot: MonitoringSnapshot = {
  rows: 500,
  drift: { value: { share: 0.75, datasetDrift: true, drifted: ["t1", "t2", "p1"] } },
  fallbackRate: { value: 0.02 },
  dq: { value: { validity: 0.8, overall: 0.9 } },
  performance: { unavailable: "no labels received yet" },
  performanceAlerts: { value: ["mae", "rmse"] },
};

describe("evaluateConditions", () => {
  it("says for each condition whether it holds and what was seen", () => {
    const policy = definePolicy({
      conditions: [
        { metric: "drift_share", above: 0.5 },
        { metric: "dataset_drift" },
        { metric: "fallback_rate", above: 0.1 },
        { metric: "dq_score", dimension: "validity", below: 0.9 },
        { metric: "dq_score", dimension: "timeliness", below: 0.9 },
        { metric: "performance", name: "mae", above: 2 },
        { metric: "performance_alert" },
      ],
      actions: [{ type: "alert" }],
      dq: { name: "live", expectations: [{ type: "not_null", column: "a" }] },
    });
    expect(evaluateConditions(policy, snapshot).map((c) => [c.holds, c.summary])).toEqual([
      [true, "drift_share 0.75 > 0.5"],
      [true, "dataset_drift detected (t1, t2, p1)"],
      [false, "fallback_rate 0.02 within bounds"],
      [true, "dq_score validity 0.8 < 0.9"],
      [false, "dq_score: not evaluated (the suite has no timeliness expectations)"],
      [false, "performance: not evaluated (no labels received yet)"],
      [true, "performance_alert: mae, rmse outside the band in the latest chunk"],
    ]);
  });

  it("never holds on what could not be measured (no traffic yet)", () => {
    const policy = definePolicy({
      conditions: [{ metric: "drift_share", above: 0 }],
      actions: [{ type: "alert" }],
    });
    const [outcome] = evaluateConditions(policy, {
      ...snapshot,
      rows: 0,
      drift: { unavailable: "no predictions logged yet" },
    });
    expect(outcome).toMatchObject({ holds: false, value: null });
  });
});
