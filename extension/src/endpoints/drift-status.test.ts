import { describe, expect, it } from "vitest";
import type { EndpointMonitoring } from "../api/endpoints-api";
import { driftStatusText } from "./drift-status";

const at = "2025-06-01T10:00:00.000Z";
// Local time, as the Endpoints section shows it wherever the tests run.
const local = new Date(at).toLocaleString();
const checked = (lastCheck: Partial<NonNullable<EndpointMonitoring["lastCheck"]>>) => ({
  policy: true,
  lastCheck: { at, rows: 500, drift: null, held: [], ...lastCheck },
});

const cases: [what: string, monitoring: EndpointMonitoring | undefined, text: string][] = [
  ["a server older than monitoring", undefined, "not reported by this server"],
  [
    "no policy and no check",
    { policy: false, lastCheck: null },
    "not monitored: no policy (set one with PUT /api/endpoints/drill/policy, see docs/monitoring.md)",
  ],
  ["a policy, no check yet", { policy: true, lastCheck: null }, "monitored; not checked yet"],
  [
    "a check that could not measure drift",
    checked({ drift: null }),
    `not measured at the last check (${local})`,
  ],
  [
    "a check that found dataset drift",
    checked({ drift: { share: 2 / 3, datasetDrift: true, drifted: ["x1", "x2"] } }),
    `dataset drift at the last check (${local}): x1, x2 drifted (67% of features)`,
  ],
  [
    "a check that found no drift",
    checked({ drift: { share: 0, datasetDrift: false, drifted: [] } }),
    `no dataset drift at the last check (${local}): 0% of features drifted`,
  ],
  [
    "a check that found some features drifted, below the dataset threshold",
    checked({ drift: { share: 0.25, datasetDrift: false, drifted: ["x3"] } }),
    `no dataset drift at the last check (${local}): x3 drifted (25% of features)`,
  ],
  [
    "many drifted features: five named, the others counted",
    checked({
      drift: { share: 0.7, datasetDrift: true, drifted: ["a", "b", "c", "d", "e", "f", "g"] },
    }),
    `dataset drift at the last check (${local}): a, b, c, d, e and 2 more drifted (70% of features)`,
  ],
  [
    "conditions that held",
    checked({
      drift: { share: 1, datasetDrift: true, drifted: ["x1"] },
      held: ["dataset_drift: 100% of features drifted", "fallback_rate 0.4 > 0.2"],
    }),
    `dataset drift at the last check (${local}): x1 drifted (100% of features) · held: dataset_drift: 100% of features drifted; fallback_rate 0.4 > 0.2`,
  ],
  [
    "a condition that held without drift measured",
    checked({ held: ["fallback_rate 0.4 > 0.2"] }),
    `not measured at the last check (${local}) · held: fallback_rate 0.4 > 0.2`,
  ],
  [
    "a check from before the policy was removed",
    { ...checked({ drift: { share: 0, datasetDrift: false, drifted: [] } }), policy: false },
    `no dataset drift at the last check (${local}): 0% of features drifted · no policy now`,
  ],
];

describe("driftStatusText", () => {
  it.each(cases)("says plainly: %s", (_what, monitoring, text) => {
    expect(driftStatusText({ name: "drill", monitoring })).toBe(text);
  });
});
