import type { InputRow, LoadedBundle } from "@kiln/kernel-lib";
import { LOWER_IS_BETTER, type HoldoutMetric, type RetrainSpec } from "./policy-definition";

/** A holdout set that cannot be used to compare models; the message says what to fix. */
export class HoldoutError extends Error {
  override name = "HoldoutError";
}

/** Holdout rows as read from the lake: feature columns, and the label column when there is one. */
export type HoldoutRows = readonly Record<string, unknown>[];

/**
 * Scores a model bundle on a holdout set with `metric`: MAE/RMSE against the label (regression,
 * first output), accuracy/F1/ROC AUC against a 0/1 label (first output read as the probability of
 * 1, cut at 0.5), or the mean squared reconstruction error of an autoencoder (no label).
 *
 * @example
 * const mae = scoreOnHoldout(bundle, rows, { metric: "mae", label: "quality" });
 * @throws HoldoutError when the holdout is empty or lacks the label or a feature.
 */
export function scoreOnHoldout(
  bundle: LoadedBundle,
  rows: HoldoutRows,
  spec: { metric: HoldoutMetric; label?: string },
): number {
  if (rows.length === 0) {
    throw new HoldoutError("The holdout table has no rows; ingest labelled rows into it first.");
  }
  const features = bundle.schema.features.map((f) => f.name);
  const inputs = rows.map((row, index) => {
    const input: InputRow = {};
    for (const name of features) {
      const value = row[name];
      if (value !== null && value !== undefined && typeof value !== "number") {
        throw new HoldoutError(
          `Holdout row ${index}: feature "${name}" is ${JSON.stringify(value)}, expected a number.`,
        );
      }
      input[name] = value ?? null;
    }
    return input;
  });
  const { outputs } = bundle.predict(inputs);
  if (spec.metric === "reconstruction_mse") {
    let total = 0;
    outputs.forEach((output, i) => {
      const row = features.map((name) => Number(inputs[i]![name] ?? 0));
      total += row.reduce((sum, value, j) => sum + (value - (output[j] ?? 0)) ** 2, 0) / row.length;
    });
    return total / outputs.length;
  }
  const label = spec.label;
  if (!label) throw new HoldoutError(`Metric ${spec.metric} needs the holdout's label column.`);
  const labels = rows.map((row, index) => {
    const value = row[label];
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new HoldoutError(
        `Holdout row ${index}: label "${label}" is ${JSON.stringify(value)}, expected a number. Check the column name.`,
      );
    }
    return value;
  });
  const predictions = outputs.map((output) => output[0] ?? NaN);
  return metricValue(spec.metric, predictions, labels);
}

/** Whether `candidate` beats `champion` on `metric` by at least `minImprovement`. */
export function beats(
  spec: Pick<RetrainSpec, "metric" | "minImprovement">,
  candidate: number,
  champion: number,
): boolean {
  return LOWER_IS_BETTER.has(spec.metric)
    ? candidate <= champion - spec.minImprovement && candidate < champion
    : candidate >= champion + spec.minImprovement && candidate > champion;
}

function metricValue(
  metric: Exclude<HoldoutMetric, "reconstruction_mse">,
  predictions: number[],
  labels: number[],
): number {
  const n = labels.length;
  switch (metric) {
    case "mae":
      return predictions.reduce((sum, p, i) => sum + Math.abs(p - labels[i]!), 0) / n;
    case "rmse":
      return Math.sqrt(predictions.reduce((sum, p, i) => sum + (p - labels[i]!) ** 2, 0) / n);
    case "accuracy":
      return predictions.filter((p, i) => Number(p >= 0.5) === labels[i]).length / n;
    case "f1": {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      predictions.forEach((p, i) => {
        const predicted = p >= 0.5;
        const actual = labels[i] === 1;
        if (predicted && actual) tp += 1;
        else if (predicted) fp += 1;
        else if (actual) fn += 1;
      });
      return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
    }
    case "auc":
      return rocAuc(predictions, labels);
  }
}

// Mann–Whitney form with average ranks for ties (what sklearn's roc_auc_score computes).
function rocAuc(scores: number[], labels: number[]): number {
  const order = scores.map((score, i) => ({ score, positive: labels[i] === 1 }));
  order.sort((a, b) => a.score - b.score);
  const positives = order.filter((o) => o.positive).length;
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new HoldoutError("ROC AUC needs both classes (0 and 1) in the holdout labels.");
  }
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]!.score === order[i]!.score) j += 1;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k += 1) if (order[k]!.positive) rankSum += rank;
    i = j + 1;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
