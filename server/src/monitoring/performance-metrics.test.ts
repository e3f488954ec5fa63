import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  classificationMetrics,
  quantile,
  reconstructionError,
  reconstructionMetrics,
  regressionMetrics,
  rocAuc,
  standardDeviation,
} from "./performance-metrics";

// scikit-learn and numpy of the project's virtualenv are the reference (never skipped).
const python = resolve(__dirname, "../../../.venv/bin/python");

type Case = { labels: number[]; scores: number[] };

function sklearn(cases: Case[], threshold: number): Record<string, number | null>[] {
  const script = `
import json, sys, numpy as np
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score, mean_absolute_error, mean_squared_error
out = []
for c in json.load(sys.stdin):
    y, s = np.array(c["labels"]), np.array(c["scores"])
    pred = (s >= ${threshold}).astype(int)
    out.append({
        "accuracy": accuracy_score(y, pred),
        "f1": f1_score(y, pred, zero_division=0),
        "auc": roc_auc_score(y, s) if len(set(c["labels"])) == 2 else None,
        "mae": mean_absolute_error(y, s),
        "rmse": float(np.sqrt(mean_squared_error(y, s))),
        "p95": float(np.quantile(s, 0.95)),
        "std": float(np.std(s)),
    })
print(json.dumps(out))
`;
  return JSON.parse(
    execFileSync(python, ["-c", script], { input: JSON.stringify(cases), encoding: "utf8" }),
  ) as Record<string, number | null>[];
}

// A seeded generator, so the random cases are the same every run.
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

const random = seeded(42);
const cases: Case[] = [
  { labels: [0, 0, 1, 1], scores: [0.1, 0.4, 0.35, 0.8] },
  { labels: [1, 0, 1, 0, 1], scores: [0.5, 0.5, 0.5, 0.2, 0.9] }, // ties, and scores at the threshold
  { labels: [1, 1, 1], scores: [0.2, 0.7, 0.9] }, // one class: no AUC
  { labels: [0, 0, 0], scores: [0.1, 0.2, 0.3] }, // no positive at all: F1 is 0
  ...[50, 500].map((n) => {
    const labels = Array.from({ length: n }, () => (random() < 0.4 ? 1 : 0));
    // Rounded scores make ties common, as calibrated models produce them.
    const scores = labels.map((y) => Math.round((0.3 * y + 0.7 * random()) * 20) / 20);
    return { labels, scores };
  }),
];

describe("classification and regression metrics", () => {
  const expected = sklearn(cases, 0.5);

  it.each(cases.map((c, i) => [i, c] as const))("case %i matches scikit-learn", (i, c) => {
    const want = expected[i]!;
    const got = {
      ...classificationMetrics(c.labels, c.scores),
      ...regressionMetrics(c.labels, c.scores),
    };
    for (const metric of ["accuracy", "f1", "mae", "rmse"] as const) {
      expect(got[metric], metric).toBeCloseTo(want[metric]!, 12);
    }
    if (want["auc"] === null) expect(got.auc).toBeNull();
    else expect(got.auc).toBeCloseTo(want["auc"]!, 12);
    const sorted = [...c.scores].sort((a, b) => a - b);
    expect(quantile(sorted, 0.95)).toBeCloseTo(want["p95"]!, 12);
    expect(standardDeviation(c.scores)).toBeCloseTo(want["std"]!, 12);
  });

  it("matches values worked out by hand", () => {
    // Errors -0.5, 0, 1 → MAE 0.5, RMSE sqrt(1.25 / 3).
    expect(regressionMetrics([1, 2, 3], [0.5, 2, 4])).toEqual({
      mae: 0.5,
      rmse: Math.sqrt(1.25 / 3),
    });
    // Predicted 0, 1, 0, 1 for labels 0, 1, 1, 0: TP 1, FP 1, FN 1 → accuracy 0.5, F1 0.5.
    // Pairs (positive, negative) ranked right: (0.9 > 0.1), (0.9 > 0.6), (0.3 > 0.1) → AUC 3/4.
    expect(classificationMetrics([0, 1, 1, 0], [0.1, 0.9, 0.3, 0.6])).toEqual({
      accuracy: 0.5,
      f1: 0.5,
      auc: 0.75,
    });
    expect(classificationMetrics([0, 1], [0.4, 0.6], 0.7)).toMatchObject({ accuracy: 0.5, f1: 0 });
    expect(rocAuc([1, 0], [0.5, 0.5])).toBe(0.5);
    expect(regressionMetrics([], [])).toEqual({ mae: null, rmse: null });
  });
});

describe("reconstruction errors", () => {
  it("is the mean squared difference of inputs and outputs, summarized by mean and percentiles", () => {
    expect(reconstructionError([1, 2, 3], [1, 0, 4])).toBeCloseTo((0 + 4 + 1) / 3, 12);
    // Sorted 1, 2, 3, 4: the 95th percentile sits at position 2.85, between 3 and 4.
    const summary = reconstructionMetrics([4, 1, 3, 2]);
    expect(summary.reconstruction_mse).toBe(2.5);
    expect(summary.p50).toBe(2.5);
    expect(summary.p95).toBeCloseTo(3.85, 12);
    expect(summary.p99).toBeCloseTo(3.97, 12);
    expect(reconstructionMetrics([])).toEqual({
      reconstruction_mse: null,
      p50: null,
      p95: null,
      p99: null,
    });
  });
});
