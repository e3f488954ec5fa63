/**
 * The drift methods Kiln offers, with Evidently's defaults: which feature kinds each applies to,
 * its default threshold and which side of the threshold means drift, and Evidently's rule for
 * choosing one when the caller does not (`_get_default_stattest`):
 *
 * | reference size (present values) | numerical, > 5 distinct values | numerical, ≤ 5 | categorical |
 * | ------------------------------- | ------------------------------ | -------------- | ----------- |
 * | ≤ 1000                          | ks (p ≤ 0.05)                  | chisquare (3+ values) or z (binary), p < 0.05 | chisquare / z, p < 0.05 |
 * | > 1000                          | wasserstein (normed ≥ 0.1)     | jensenshannon ≥ 0.1 | jensenshannon ≥ 0.1 |
 *
 * Distinct values are counted over both samples together.
 *
 * @example
 * ```ts
 * defaultDriftMethod([1.5, 2.5, 3.5, 4.5, 5.5, 6.5], [2.5], "numerical"); // "ks"
 * const result = runDriftMethod("wasserstein", reference, current, "numerical");
 * DRIFT_METHODS.wasserstein.isDrift(result.score, 0.1);
 * ```
 */
import type { FeatureKind } from "./binning";
import { distinctCount, type CategoryValue } from "./category-counts";
import { chiSquareTest } from "./chi-square-test";
import { jensenShannonDistance } from "./jensen-shannon";
import { ksTwoSample } from "./ks-test";
import { populationStabilityIndex } from "./psi";
import { normedWassersteinDistance } from "./wasserstein";
import { proportionsZTest } from "./z-test";

/** A drift method, by Evidently's stattest name. */
export type DriftMethod = "ks" | "chisquare" | "z" | "wasserstein" | "jensenshannon" | "psi";

/** What Kiln knows about a drift method. */
export type DriftMethodSpec = {
  /** Evidently's display name. */
  label: string;
  /** Feature kinds the method applies to (Evidently's `allowed_feature_types`). */
  kinds: readonly FeatureKind[];
  /** "p-value": the score is a p-value, drift when it is small; "distance": drift when it is large. */
  score: "p-value" | "distance";
  defaultThreshold: number;
  /** Evidently's comparison of the score with the threshold. */
  isDrift: (score: number, threshold: number) => boolean;
};

/** Every method, as Evidently 0.7 defines it. */
export const DRIFT_METHODS = {
  ks: {
    label: "K-S p_value",
    kinds: ["numerical"],
    score: "p-value",
    defaultThreshold: 0.05,
    isDrift: (p, threshold) => p <= threshold,
  },
  chisquare: {
    label: "chi-square p_value",
    kinds: ["categorical"],
    score: "p-value",
    defaultThreshold: 0.05,
    isDrift: (p, threshold) => p < threshold,
  },
  z: {
    label: "Z-test p_value",
    kinds: ["categorical"],
    score: "p-value",
    defaultThreshold: 0.05,
    isDrift: (p, threshold) => p < threshold,
  },
  wasserstein: {
    label: "Wasserstein distance (normed)",
    kinds: ["numerical"],
    score: "distance",
    defaultThreshold: 0.1,
    isDrift: (distance, threshold) => distance >= threshold,
  },
  jensenshannon: {
    label: "Jensen-Shannon distance",
    kinds: ["categorical", "numerical"],
    score: "distance",
    defaultThreshold: 0.1,
    isDrift: (distance, threshold) => distance >= threshold,
  },
  psi: {
    label: "PSI",
    kinds: ["categorical", "numerical"],
    score: "distance",
    defaultThreshold: 0.1,
    isDrift: (psi, threshold) => psi >= threshold,
  },
} as const satisfies Record<DriftMethod, DriftMethodSpec>;

/** Reference sizes above this get distance-based methods by default. */
export const SMALL_REFERENCE_MAX_SIZE = 1000;
/** Numerical features with at most this many distinct values are tested as categories. */
export const FEW_DISTINCT_VALUES = 5;

/** Evidently's default method for a feature, from its present values and kind. */
export function defaultDriftMethod(
  reference: readonly CategoryValue[],
  current: readonly CategoryValue[],
  kind: FeatureKind,
): DriftMethod {
  const distinct = distinctCount([...reference, ...current]);
  const fewValues = kind === "categorical" || distinct <= FEW_DISTINCT_VALUES;
  if (reference.length <= SMALL_REFERENCE_MAX_SIZE) {
    if (!fewValues) return "ks";
    return distinct > 2 ? "chisquare" : "z";
  }
  return fewValues ? "jensenshannon" : "wasserstein";
}

/** Outcome of one method on one feature. */
export type DriftMethodResult = {
  /** What is compared with the threshold: the p-value, or the distance. */
  score: number;
  /** The test statistic: KS D, chi², z, or the distance itself. */
  statistic: number;
  /** The p-value of the tests (ks, chisquare, z), null for distances. */
  pValue: number | null;
};

/** Runs `method` on present values (numbers for numerical features). */
export function runDriftMethod(
  method: DriftMethod,
  reference: readonly CategoryValue[],
  current: readonly CategoryValue[],
  kind: FeatureKind,
): DriftMethodResult {
  switch (method) {
    case "ks": {
      const { statistic, pValue } = ksTwoSample(reference as number[], current as number[]);
      return { score: pValue, statistic, pValue };
    }
    case "chisquare": {
      const { statistic, pValue } = chiSquareTest(reference, current);
      return { score: pValue, statistic, pValue };
    }
    case "z": {
      const { statistic, pValue } = proportionsZTest(reference, current);
      return { score: pValue, statistic, pValue };
    }
    case "wasserstein": {
      const distance = normedWassersteinDistance(reference as number[], current as number[]);
      return { score: distance, statistic: distance, pValue: null };
    }
    case "jensenshannon": {
      const distance = jensenShannonDistance(reference, current, kind);
      return { score: distance, statistic: distance, pValue: null };
    }
    case "psi": {
      const psi = populationStabilityIndex(reference, current, kind);
      return { score: psi, statistic: psi, pValue: null };
    }
  }
}
