/**
 * `novelty`: each row's standardised distance to the nearest centroid of the suite's k-means
 * model is at most the model's threshold. Rows missing a model column are skipped; a value that
 * is not a number is unexpected. With a threshold at the reference's 0.99 quantile, about 1% of
 * rows like the reference lie beyond it: choose `mostly` below 0.99 (e.g. 0.95).
 *
 * @example
 * ```ts
 * judgeNovelty({ type: "novelty", model, mostly: 0.95 }, context);
 * ```
 */
import { isMissing, numericValue } from "../cell-values";
import { noveltyDistance } from "../novelty-model";
import type { NoveltyExpectation } from "../suite-format";
import { judgeRows, type JudgeContext, type Judgement } from "./judgement";

/** Judges `novelty`: the share of rows within the model's threshold is at least `mostly`. */
export function judgeNovelty(expectation: NoveltyExpectation, context: JudgeContext): Judgement {
  const { model } = expectation;
  const columns = model.columns.map((name) => context.data.values(name));
  const distances = new Float64Array(context.data.rowCount).fill(NaN);
  let maxDistance = -Infinity;
  const judgement = judgeRows(context, {
    mostly: expectation.mostly,
    demand: `distance to the nearest reference cluster <= ${round(model.threshold)} (the reference's ${model.quantile} quantile)`,
    noun: "rows",
    test: (row) => {
      const cells = columns.map((values) => values[row]);
      if (cells.some(isMissing)) return undefined;
      const numbers = cells.map(numericValue);
      if (numbers.some((n) => n === undefined || !Number.isFinite(n))) return false;
      const distance = noveltyDistance(model, numbers as number[]);
      distances[row] = distance;
      maxDistance = Math.max(maxDistance, distance);
      return distance <= model.threshold;
    },
    example: (row) => ({
      values: Object.fromEntries(model.columns.map((name, c) => [name, columns[c]![row]])),
      distance: Number.isNaN(distances[row]!) ? null : round(distances[row]!),
    }),
  });
  return {
    ...judgement,
    details: {
      threshold: model.threshold,
      maxDistance: maxDistance === -Infinity ? null : maxDistance,
    },
  };
}

function round(value: number): number {
  return Number(value.toPrecision(6));
}
