/**
 * The metrics of model performance on labelled predictions, and of autoencoder reconstruction
 * errors: plain functions of number arrays, defined as scikit-learn defines them (tests compare
 * with `sklearn.metrics`). Names match the policy metrics (`mae`, `rmse`, `accuracy`, `f1`,
 * `auc`, `reconstruction_mse`).
 *
 * @example
 * regressionMetrics([1, 2], [1.5, 2]); // { mae: 0.25, rmse: 0.3535… }
 * classificationMetrics([0, 1, 1], [0.2, 0.9, 0.4]); // { accuracy: 0.666…, f1: 0.666…, auc: 1 }
 */

/** Metrics of a regression: mean absolute and root mean squared error (null without rows). */
export type RegressionMetrics = { mae: number | null; rmse: number | null };

/** Metrics of a binary classifier whose output is the probability of class 1. */
export type ClassificationMetrics = {
  accuracy: number | null;
  /** F1 of class 1; 0 when no row is or is predicted class 1 (scikit-learn's `zero_division`). */
  f1: number | null;
  /** ROC AUC; null unless both classes occur among the labels. */
  auc: number | null;
};

/** Distribution of reconstruction errors (per-row mean squared error). */
export type ReconstructionMetrics = {
  reconstruction_mse: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
};

/** MAE and RMSE of `predictions` against `labels` (same length). */
export function regressionMetrics(
  labels: readonly number[],
  predictions: readonly number[],
): RegressionMetrics {
  const n = labels.length;
  if (n === 0) return { mae: null, rmse: null };
  let absolute = 0;
  let squared = 0;
  for (let i = 0; i < n; i++) {
    const error = predictions[i]! - labels[i]!;
    absolute += Math.abs(error);
    squared += error * error;
  }
  return { mae: absolute / n, rmse: Math.sqrt(squared / n) };
}

/**
 * Accuracy, F1 and ROC AUC of probabilities `scores` against 0/1 `labels`; a row is predicted
 * class 1 when its score is at least `threshold`.
 */
export function classificationMetrics(
  labels: readonly number[],
  scores: readonly number[],
  threshold = 0.5,
): ClassificationMetrics {
  const n = labels.length;
  if (n === 0) return { accuracy: null, f1: null, auc: null };
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const actual = labels[i] === 1;
    const predicted = scores[i]! >= threshold;
    if (actual === predicted) correct += 1;
    if (predicted && actual) tp += 1;
    else if (predicted) fp += 1;
    else if (actual) fn += 1;
  }
  const f1Denominator = 2 * tp + fp + fn;
  return {
    accuracy: correct / n,
    f1: f1Denominator === 0 ? 0 : (2 * tp) / f1Denominator,
    auc: rocAuc(labels, scores),
  };
}

/**
 * ROC AUC of `scores` for 0/1 `labels`: the probability that a random positive scores above a
 * random negative, ties counting half (the Mann–Whitney U statistic over average ranks, equal to
 * the area under scikit-learn's ROC curve). Null unless both classes occur.
 */
export function rocAuc(labels: readonly number[], scores: readonly number[]): number | null {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    // Ranks start..end (1-based: start+1..end+1) are tied: each gets their average.
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]!] === 1) {
        positives += 1;
        positiveRankSum += rank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** A row's reconstruction error: the mean squared difference of `inputs` and `outputs`. */
export function reconstructionError(inputs: readonly number[], outputs: readonly number[]): number {
  let sum = 0;
  for (let j = 0; j < inputs.length; j++) sum += (inputs[j]! - outputs[j]!) ** 2;
  return sum / inputs.length;
}

/** Mean and 50th, 95th, 99th percentiles of reconstruction errors. */
export function reconstructionMetrics(errors: readonly number[]): ReconstructionMetrics {
  if (errors.length === 0) return { reconstruction_mse: null, p50: null, p95: null, p99: null };
  const sorted = [...errors].sort((a, b) => a - b);
  return {
    reconstruction_mse: mean(sorted)!,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
  };
}

/** The `q` quantile of ascending `sorted` values, interpolated linearly (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below]!;
  return low + (sorted[above]! - low) * (position - below);
}

/** The mean of `values`, null when there are none. */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** The population standard deviation of `values` (numpy's `std`, ddof 0); null when empty. */
export function standardDeviation(values: readonly number[]): number | null {
  const m = mean(values);
  if (m === null) return null;
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / values.length);
}
