/**
 * Novelty models for `novelty` expectations: k-means fitted on reference data standardised by
 * the reference's mean and standard deviation, and a threshold (a quantile of the reference
 * rows' distances to their nearest centroid) beyond which a row is novel: unlike anything the
 * reference held. The model is plain JSON, so the suite that embeds it can be stored and sent.
 *
 * @example
 * ```ts
 * const reference = await kiln.data.read("sensors", { tag: "reference" });
 * const model = kiln.dq.fitNoveltyModel(reference, { columns: ["temp", "pressure"], k: 4, seed: 7 });
 * const suite = kiln.dq.defineSuite({
 *   name: "batch",
 *   expectations: [{ type: "novelty", model, mostly: 0.95 }], // at most 5% novel rows
 * });
 * ```
 */
import { isMissing, numericValue } from "./cell-values";
import { DatasetColumns, type DatasetRows } from "./dataset-columns";
import { QualityOptionsError } from "./errors";
import { fitKMeans } from "./kmeans";
import type { NoveltyModel } from "./suite-format";

/** Options of {@link fitNoveltyModel}. */
export type NoveltyModelOptions = {
  /** Numeric columns the model describes. */
  columns: string[];
  /** Number of clusters. */
  k: number;
  /** Seed of k-means++ (default 0): the same seed and data give the same model. */
  seed?: number;
  /** Quantile of reference distances taken as the threshold (default 0.99). */
  quantile?: number;
  /** Lloyd iterations at most (default 100). */
  maxIterations?: number;
  /** k-means++ starts; the one of least inertia wins (default 3). */
  restarts?: number;
};

/**
 * Fits a novelty model on `reference` (records or an Arrow table). Rows missing a value of
 * `columns` are skipped; values that are not numbers are a QualityOptionsError.
 *
 * @example
 * ```ts
 * const model = kiln.dq.fitNoveltyModel(rows, { columns: ["temp", "pressure"], k: 3, seed: 1 });
 * model.threshold; // e.g. 2.7 (standardised units)
 * ```
 */
export function fitNoveltyModel(
  reference: DatasetRows,
  options: NoveltyModelOptions,
): NoveltyModel {
  const { columns, k, seed = 0, quantile = 0.99, maxIterations = 100, restarts = 3 } = options;
  checkOptions(options);
  const data = DatasetColumns.of(reference);
  const missing = data.missingColumns(columns);
  if (missing.length > 0) {
    throw new QualityOptionsError(
      `The reference data has no column ${missing.map((c) => JSON.stringify(c)).join(", ")}; its columns are: ${data.columnNames.join(", ") || "(none)"}.`,
      "Fit the model on columns the reference has.",
    );
  }
  const rows = numericRows(data, columns);
  if (rows.length < k) {
    throw new QualityOptionsError(
      `The reference data has ${rows.length} complete rows (with a number in every one of ${columns.join(", ")}), fewer than k = ${k} clusters.`,
      "Fit on more reference rows, or choose a smaller k.",
    );
  }
  const mean = columns.map((_, c) => rows.reduce((sum, row) => sum + row[c]!, 0) / rows.length);
  const std = columns.map((_, c) => {
    const variance = rows.reduce((sum, row) => sum + (row[c]! - mean[c]!) ** 2, 0) / rows.length;
    // A constant reference column keeps its scale: any change from the constant counts.
    return Math.sqrt(variance) || 1;
  });
  const standardised = rows.map((row) => row.map((value, c) => (value - mean[c]!) / std[c]!));
  const fit = fitKMeans(standardised, { k, seed, maxIterations, restarts });
  const model: NoveltyModel = {
    kind: "kmeans",
    columns: [...columns],
    mean,
    std,
    centroids: fit.centroids,
    threshold: 0,
    quantile,
    seed,
    referenceRows: rows.length,
  };
  const distances = standardised.map((row) => nearestDistance(model, row)).sort((a, b) => a - b);
  model.threshold = quantileOf(distances, quantile);
  return model;
}

/** The distance of a row's values (in `model.columns` order, raw units) to its nearest centroid. */
export function noveltyDistance(model: NoveltyModel, values: readonly number[]): number {
  return nearestDistance(
    model,
    values.map((value, c) => (value - model.mean[c]!) / model.std[c]!),
  );
}

function nearestDistance(model: NoveltyModel, standardised: readonly number[]): number {
  let best = Infinity;
  for (const centroid of model.centroids) {
    let sum = 0;
    for (let c = 0; c < centroid.length; c++) sum += (standardised[c]! - centroid[c]!) ** 2;
    best = Math.min(best, sum);
  }
  return Math.sqrt(best);
}

/** The q-quantile of ascending `sorted`, interpolating linearly between order statistics. */
export function quantileOf(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

function numericRows(data: DatasetColumns, columns: readonly string[]): number[][] {
  const values = columns.map((name) => data.values(name));
  const rows: number[][] = [];
  for (let row = 0; row < data.rowCount; row++) {
    const cells = values.map((column) => column[row]);
    if (cells.some(isMissing)) continue;
    rows.push(
      cells.map((cell, c) => {
        const number = numericValue(cell);
        if (number === undefined || !Number.isFinite(number)) {
          throw new QualityOptionsError(
            `Reference row ${row}, column "${columns[c]}" holds ${JSON.stringify(String(cell))}, which is not a finite number.`,
            "Fit the model on numeric columns only (encode categories as numbers first).",
          );
        }
        return number;
      }),
    );
  }
  return rows;
}

function checkOptions(options: NoveltyModelOptions): void {
  const { columns, k, seed = 0, quantile = 0.99, maxIterations = 100, restarts = 3 } = options;
  const problem =
    !Array.isArray(columns) ||
    columns.length === 0 ||
    !columns.every((c) => typeof c === "string" && c !== "")
      ? `columns must be a non-empty array of column names, got ${JSON.stringify(columns)}`
      : new Set(columns).size !== columns.length
        ? `columns lists a column more than once: ${columns.join(", ")}`
        : !Number.isInteger(k) || k < 1
          ? `k must be an integer >= 1, got ${JSON.stringify(k)}`
          : !Number.isInteger(seed)
            ? `seed must be an integer, got ${JSON.stringify(seed)}`
            : !(quantile > 0 && quantile <= 1)
              ? `quantile must be in (0, 1], got ${JSON.stringify(quantile)}`
              : !Number.isInteger(maxIterations) || maxIterations < 1
                ? `maxIterations must be an integer >= 1, got ${JSON.stringify(maxIterations)}`
                : !Number.isInteger(restarts) || restarts < 1
                  ? `restarts must be an integer >= 1, got ${JSON.stringify(restarts)}`
                  : undefined;
  if (problem) {
    throw new QualityOptionsError(
      `Cannot fit a novelty model: ${problem}.`,
      'Pass e.g. { columns: ["temp", "pressure"], k: 4, seed: 7 }.',
    );
  }
}
