import { describe, expect, it } from "vitest";
import { definePolicy, PolicyDefinitionError } from "./policy-definition";

const retrain = { holdout: { table: "holdout", label: "y" }, metric: "mae" };

describe("definePolicy", () => {
  it("fills in defaults: a 500-row window and no minimum improvement", () => {
    expect(
      definePolicy({
        conditions: [{ metric: "drift_share", above: 0.5 }],
        actions: [{ type: "alert" }, { type: "retrain" }],
        retrain,
      }),
    ).toEqual({
      window: 500,
      conditions: [{ metric: "drift_share", above: 0.5 }],
      actions: [{ type: "alert" }, { type: "retrain" }],
      retrain: { holdout: { table: "holdout", label: "y" }, metric: "mae", minImprovement: 0 },
    });
  });

  it("keeps schedules, drift options and a DQ suite", () => {
    const policy = definePolicy({
      window: 200,
      schedule: "*/15 * * * *",
      retrainSchedule: "0 3 * * 0",
      conditions: [{ metric: "dq_score", dimension: "validity", below: 0.9 }],
      actions: [{ type: "alert", webhook: "http://127.0.0.1:9/hook" }],
      retrain,
      drift: { datasetThreshold: 0.3 },
      dq: { name: "live", expectations: [{ type: "not_null", column: "a" }] },
    });
    expect(policy).toMatchObject({
      window: 200,
      schedule: "*/15 * * * *",
      retrainSchedule: "0 3 * * 0",
      drift: { datasetThreshold: 0.3 },
    });
  });

  it("takes a time window and a drift method for every feature (PSI on demand)", () => {
    const policy = definePolicy({
      window: "6h",
      conditions: [{ metric: "dataset_drift" }],
      actions: [{ type: "alert" }],
      drift: { method: "psi", threshold: 0.2 },
    });
    expect(policy).toMatchObject({ window: "6h", drift: { method: "psi", threshold: 0.2 } });
  });

  it.each([
    ["not an object", [], /expected a JSON object/],
    [
      "a window that is neither rows nor a duration",
      { window: "6 hours" },
      /window: expected a row count/,
    ],
    ["an unknown drift method", { drift: { method: "kl" } }, /drift\.method: expected one of ks/],
    ["an unknown field", { conditons: [] }, /conditons: unknown field/],
    ["a tiny window", { window: 3 }, /window: expected a row count from 10/],
    [
      "a bad cron",
      { schedule: "every minute" },
      /schedule: "every minute" is not a cron expression/,
    ],
    [
      "an unknown metric",
      { conditions: [{ metric: "accuracy", above: 1 }], actions: [{ type: "alert" }] },
      /conditions\[0\]\.metric: expected one of drift_share/,
    ],
    [
      "a threshold that is not a number",
      { conditions: [{ metric: "drift_share", above: "half" }], actions: [{ type: "alert" }] },
      /conditions\[0\]\.above: expected a number, got "half"/,
    ],
    [
      "a performance condition without bounds",
      { conditions: [{ metric: "performance", name: "mae" }], actions: [{ type: "alert" }] },
      /needs "above" or "below"/,
    ],
    [
      "conditions without actions",
      { conditions: [{ metric: "dataset_drift" }] },
      /conditions need at least one action/,
    ],
    [
      "a retrain action without retrain settings",
      { conditions: [{ metric: "dataset_drift" }], actions: [{ type: "retrain" }] },
      /retrain: a retrain action or retrainSchedule needs/,
    ],
    [
      "a webhook that is not http",
      {
        conditions: [{ metric: "dataset_drift" }],
        actions: [{ type: "alert", webhook: "file:///etc/passwd" }],
      },
      /webhook: expected an http\(s\) URL/,
    ],
    [
      "a supervised metric without a label",
      { retrain: { holdout: { table: "h" }, metric: "f1" } },
      /metric f1 needs the holdout's label column/,
    ],
    [
      "a dq_score condition without a suite",
      {
        conditions: [{ metric: "dq_score", dimension: "validity", below: 0.9 }],
        actions: [{ type: "alert" }],
      },
      /a dq_score condition needs a data-quality suite/,
    ],
    [
      "a malformed dq suite",
      { dq: { name: "live", expectations: [{ type: "not_null", column: "a", mostly: 2 }] } },
      /dq\.expectations\[0\]\.mostly/,
    ],
  ])("refuses %s, naming the path", (_, input, message) => {
    expect(() => definePolicy(input)).toThrow(PolicyDefinitionError);
    expect(() => definePolicy(input)).toThrow(message);
  });

  it("reports every problem at once", () => {
    try {
      definePolicy({ window: 1, schedule: 5, conditions: [{ metric: "x" }] });
      expect.unreachable();
    } catch (error) {
      expect((error as PolicyDefinitionError).problems).toHaveLength(4);
    }
  });
});
