import { describe, expect, it } from "vitest";
import type { ServedModel } from "../serving/endpoint-model";
import type { RequestPrediction } from "../serving/micro-batcher";
import { KilnMetrics } from "./kiln-metrics";

const prediction = (endpoint: string, version: string, usedFallback: boolean[]) =>
  ({
    model: { endpoint, version } as ServedModel,
    outputs: usedFallback.map(() => [0]),
    usedFallback,
  }) satisfies RequestPrediction;

describe("KilnMetrics.usageOf", () => {
  it("counts an endpoint's rows across its versions, and those its fallback answered", () => {
    const metrics = new KilnMetrics();
    metrics.observePrediction(prediction("drill", "1", [false, true, false]), 0.01);
    metrics.observePrediction(prediction("drill", "2", [true]), 0.01);
    metrics.observePrediction(prediction("churn", "1", [false]), 0.01);
    expect(metrics.usageOf("drill")).toMatchObject({ predictions: 4, fallbackPredictions: 2 });
    expect(metrics.usageOf("churn")).toMatchObject({ predictions: 1, fallbackPredictions: 0 });
  });

  it("answers zeros for an endpoint that scored nothing yet, since the metrics were created", () => {
    const before = Date.now();
    const usage = new KilnMetrics().usageOf("new");
    expect(usage).toMatchObject({ predictions: 0, fallbackPredictions: 0 });
    expect(Date.parse(usage.since)).toBeGreaterThanOrEqual(before - 1000);
  });

  it("counts the same rows as the kiln_predictions_total series", () => {
    const metrics = new KilnMetrics();
    metrics.observePrediction(prediction("drill", "1", [false, true]), 0.01);
    const total = [false, true]
      .map((fallback) => metrics.predictions.get({ endpoint: "drill", version: "1", fallback }))
      .reduce((a, b) => a + b, 0);
    expect(metrics.usageOf("drill").predictions).toBe(total);
  });
});
