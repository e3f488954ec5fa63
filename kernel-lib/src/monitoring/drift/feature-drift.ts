/**
 * Drift of one feature: the current window against the reference sample, with the method and
 * threshold the caller chose or Evidently's defaults. Missing values are left out and counted.
 *
 * @example
 * ```ts
 * const drift = featureDrift("temperature", referenceTemperatures, lastHourTemperatures);
 * // { kind: "numerical", method: "ks", score: 0.003, pValue: 0.003, threshold: 0.05, drifted: true, ... }
 * featureDrift("region", referenceRegions, windowRegions, { kind: "categorical", method: "psi", threshold: 0.2 });
 * ```
 */
import type { FeatureKind } from "./binning";
import type { CategoryValue } from "./category-counts";
import {
  DRIFT_METHODS,
  defaultDriftMethod,
  runDriftMethod,
  type DriftMethod,
  type DriftMethodSpec,
} from "./drift-methods";
import { DriftInputError, DriftOptionsError } from "./errors";
import { inferFeatureKind, presentValues, type DriftValue } from "./feature-values";

/** How to test one feature; everything left out takes Evidently's default. */
export type FeatureDriftOptions = {
  /** Default: inferred from the reference sample ({@link inferFeatureKind}). */
  kind?: FeatureKind;
  /** Default: {@link defaultDriftMethod}. */
  method?: DriftMethod;
  /** Default: the method's `defaultThreshold` (0.05 for p-values, 0.1 for distances). */
  threshold?: number;
};

/** Drift of one feature. */
export type FeatureDrift = {
  kind: FeatureKind;
  /** Whether `kind` was given by the caller or inferred. */
  kindSource: "declared" | "inferred";
  method: DriftMethod;
  /**
   * What is compared with `threshold`: the p-value for ks, chisquare and z (drift when below;
   * at or below for ks), the distance for wasserstein, jensenshannon and psi (drift when at or
   * above). Evidently's `drift_score`.
   */
  score: number;
  /** KS D, chi², z, or the distance itself. */
  statistic: number;
  /** The p-value of the tests, null for distances. */
  pValue: number | null;
  threshold: number;
  drifted: boolean;
  /** Present values compared (missing ones excluded). */
  referenceSize: number;
  currentSize: number;
  /** Values left out as missing: null, undefined, NaN, ±Infinity. */
  referenceMissing: number;
  currentMissing: number;
};

/** Compares the current values of feature `feature` with its reference values. */
export function featureDrift(
  feature: string,
  reference: readonly DriftValue[],
  current: readonly DriftValue[],
  options: FeatureDriftOptions = {},
): FeatureDrift {
  const ref = presentValues(reference);
  const cur = presentValues(current);
  if (ref.values.length === 0) {
    throw new DriftInputError(
      `Feature "${feature}": the reference sample is empty (${describeEmpty(reference.length)}). ` +
        `Drift needs reference values: log the model with a reference sample that has values for "${feature}", ` +
        "or leave the feature out of the comparison.",
      feature,
    );
  }
  if (cur.values.length === 0) {
    throw new DriftInputError(
      `Feature "${feature}": the current window is empty (${describeEmpty(current.length)}). ` +
        `Widen the window (more predictions or a longer time span) until it holds values for "${feature}".`,
      feature,
    );
  }
  const kind = options.kind ?? inferFeatureKind(ref.values);
  if (
    options.kind !== undefined &&
    options.kind !== "numerical" &&
    options.kind !== "categorical"
  ) {
    throw new DriftOptionsError(
      `Feature "${feature}": unknown kind ${JSON.stringify(options.kind)}; expected "numerical" or "categorical".`,
    );
  }
  if (kind === "numerical") {
    requireNumbers(feature, "reference sample", ref.values);
    requireNumbers(feature, "current window", cur.values);
  }
  // Evidently's default can pick chisquare / z for a numerical feature with few values; a method
  // chosen by the caller must fit the kind.
  const method = options.method ?? defaultDriftMethod(ref.values, cur.values, kind);
  const spec =
    options.method === undefined ? DRIFT_METHODS[method] : requestedMethod(feature, method, kind);
  const threshold = options.threshold ?? spec.defaultThreshold;
  if (typeof threshold !== "number" || !Number.isFinite(threshold)) {
    throw new DriftOptionsError(
      `Feature "${feature}": threshold ${String(threshold)} is not a finite number. ` +
        `Pass a number such as ${spec.defaultThreshold} (the default of ${method}).`,
    );
  }
  const result = runDriftMethod(method, ref.values, cur.values, kind);
  return {
    kind,
    kindSource: options.kind === undefined ? "inferred" : "declared",
    method,
    score: result.score,
    statistic: result.statistic,
    pValue: result.pValue,
    threshold,
    drifted: spec.isDrift(result.score, threshold),
    referenceSize: ref.values.length,
    currentSize: cur.values.length,
    referenceMissing: ref.missing,
    currentMissing: cur.missing,
  };
}

function describeEmpty(total: number): string {
  if (total === 0) return "no values";
  return `${total} value${total === 1 ? "" : "s"}, all missing`;
}

function requireNumbers(feature: string, where: string, values: readonly CategoryValue[]): void {
  const other = values.find((value) => typeof value !== "number");
  if (other === undefined) return;
  throw new DriftInputError(
    `Feature "${feature}" is numerical but its ${where} holds ${JSON.stringify(other)} (a ${typeof other}). ` +
      `Declare the feature categorical ({ features: { "${feature}": { kind: "categorical" } } }), or send numbers.`,
    feature,
  );
}

function requestedMethod(feature: string, method: DriftMethod, kind: FeatureKind): DriftMethodSpec {
  if (!Object.hasOwn(DRIFT_METHODS, method)) {
    throw new DriftOptionsError(
      `Feature "${feature}": unknown drift method ${JSON.stringify(method)}; ` +
        `expected one of ${Object.keys(DRIFT_METHODS).join(", ")}.`,
    );
  }
  const spec = DRIFT_METHODS[method];
  if (!(spec.kinds as readonly FeatureKind[]).includes(kind)) {
    const fitting = Object.entries(DRIFT_METHODS)
      .filter(([, other]) => (other.kinds as readonly FeatureKind[]).includes(kind))
      .map(([name]) => name);
    throw new DriftOptionsError(
      `Feature "${feature}": method "${method}" applies to ${spec.kinds.join(" and ")} features, ` +
        `but "${feature}" is ${kind}. Use ${fitting.join(", ")}, or declare the feature's kind.`,
    );
  }
  return spec;
}
