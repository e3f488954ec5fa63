/**
 * Scores: per dimension, the weighted share of its expectations that succeeded (each weighs its
 * `weight`, 1 by default, so unweighted suites score the plain share); overall, the same over
 * all expectations. A dimension without expectations has no score (null), not a perfect one.
 *
 * @example
 * ```ts
 * const { dimensions, score } = scoreDimensions(results);
 * dimensions.validity; // { score: 0.75, expectations: 4, succeeded: 3, failed: 1 }
 * ```
 */
import { DIMENSIONS, type Dimension } from "./suite-format";
import type { DimensionScore, ExpectationResult } from "./validation-result";

/** The score of each dimension and the overall score of `results`. */
export function scoreDimensions(
  results: readonly Pick<ExpectationResult, "dimension" | "success" | "weight">[],
): { dimensions: Record<Dimension, DimensionScore>; score: number } {
  const dimensions = Object.fromEntries(
    DIMENSIONS.map((dimension) => [
      dimension,
      scoreOf(results.filter((r) => r.dimension === dimension)),
    ]),
  ) as Record<Dimension, DimensionScore>;
  return { dimensions, score: scoreOf(results).score ?? 1 };
}

function scoreOf(
  results: readonly Pick<ExpectationResult, "success" | "weight">[],
): DimensionScore {
  const total = results.reduce((sum, r) => sum + r.weight, 0);
  const passed = results.reduce((sum, r) => sum + (r.success ? r.weight : 0), 0);
  const succeeded = results.filter((r) => r.success).length;
  return {
    score: results.length === 0 ? null : passed / total,
    expectations: results.length,
    succeeded,
    failed: results.length - succeeded,
  };
}
