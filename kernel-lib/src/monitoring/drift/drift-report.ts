/**
 * Dataset drift over a window: every reference feature is compared with the current window
 * ({@link featureDrift}), and the dataset drifts when the share of drifted features reaches
 * `driftShare` (Evidently: `share >= drift_share`, default 0.5). Which window (the last N
 * predictions, the last hour) is the caller's choice: this takes the values.
 *
 * Options resolve as Evidently's do: a feature's own setting, else the setting for its kind,
 * else the setting for all features, else the default. A threshold set without a method applies
 * to whichever method is chosen for the feature.
 *
 * @example
 * ```ts
 * const reference = referenceFromBundle(bundle.reference);
 * const window = rowsToColumns(lastPredictions.map((p) => p.inputs), Object.keys(reference));
 * const report = detectDrift(reference, window, { features: { zone: { kind: "categorical" } } });
 * report.datasetDrift; // true when at least half of the features drifted
 * report.features["temperature"]?.method; // "ks"
 * ```
 */
import type { DriftMethod } from "./drift-methods";
import { DriftInputError, DriftOptionsError } from "./errors";
import { featureDrift, type FeatureDrift, type FeatureDriftOptions } from "./feature-drift";
import { inferFeatureKind, presentValues, type DriftValue } from "./feature-values";

/** Evidently's default `drift_share`. */
export const DEFAULT_DRIFT_SHARE = 0.5;

/** Feature name → its values, one column per feature. */
export type FeatureColumns = Readonly<Record<string, readonly DriftValue[]>>;

/** Method and threshold for a group of features. */
export type DriftMethodOptions = { method?: DriftMethod; threshold?: number };

/** Options of {@link detectDrift}; everything left out takes Evidently's default. */
export type DriftOptions = DriftMethodOptions & {
  /** For numerical features (overrides `method` / `threshold`). */
  numerical?: DriftMethodOptions;
  /** For categorical features (overrides `method` / `threshold`). */
  categorical?: DriftMethodOptions;
  /** Per feature: its kind, method and threshold (override everything else). */
  features?: Readonly<Record<string, FeatureDriftOptions>>;
  /** The dataset drifts when drifted features / features >= driftShare. Default 0.5. */
  driftShare?: number;
};

/** Outcome of {@link detectDrift}. */
export type DriftReport = {
  /** Per feature, in the reference's order. */
  features: Record<string, FeatureDrift>;
  featureCount: number;
  driftedFeatures: number;
  /** driftedFeatures / featureCount. */
  share: number;
  /** The share at or above which the dataset drifts. */
  driftShare: number;
  datasetDrift: boolean;
};

/** Compares every feature of `reference` with the same feature in `current`. */
export function detectDrift(
  reference: FeatureColumns,
  current: FeatureColumns,
  options: DriftOptions = {},
): DriftReport {
  const driftShare = options.driftShare ?? DEFAULT_DRIFT_SHARE;
  if (typeof driftShare !== "number" || !(driftShare >= 0 && driftShare <= 1)) {
    throw new DriftOptionsError(
      `driftShare ${String(driftShare)} is not a share between 0 and 1. ` +
        `Pass e.g. ${DEFAULT_DRIFT_SHARE} (dataset drift when half of the features drift).`,
    );
  }
  const names = Object.keys(reference);
  if (names.length === 0) {
    throw new DriftInputError(
      "The reference has no features. Pass one column of reference values per feature, " +
        "e.g. referenceFromBundle(bundle.reference).",
    );
  }
  for (const name of Object.keys(options.features ?? {})) {
    if (!Object.hasOwn(reference, name)) {
      throw new DriftOptionsError(
        `Options name feature "${name}", which the reference does not have ` +
          `(features: ${names.join(", ")}). Fix the name or remove its options.`,
      );
    }
  }
  const features: Record<string, FeatureDrift> = {};
  for (const name of names) {
    const values = current[name];
    if (!Object.hasOwn(current, name) || values === undefined) {
      throw new DriftInputError(
        `The current window has no column for feature "${name}". Pass a column for every reference ` +
          `feature (rowsToColumns does), or remove "${name}" from the reference to leave it out.`,
        name,
      );
    }
    const own = options.features?.[name] ?? {};
    const referenceValues = reference[name] as readonly DriftValue[];
    // The kind decides which group's options apply, so it is settled first.
    const kind = own.kind ?? inferFeatureKind(presentValues(referenceValues).values);
    const group = kind === "numerical" || kind === "categorical" ? options[kind] : undefined;
    const drift = featureDrift(name, referenceValues, values, {
      kind,
      method: own.method ?? group?.method ?? options.method,
      threshold: own.threshold ?? group?.threshold ?? options.threshold,
    });
    features[name] = { ...drift, kindSource: own.kind === undefined ? "inferred" : "declared" };
  }
  const driftedFeatures = Object.values(features).filter((drift) => drift.drifted).length;
  const share = driftedFeatures / names.length;
  return {
    features,
    featureCount: names.length,
    driftedFeatures,
    share,
    driftShare,
    datasetDrift: share >= driftShare,
  };
}

/**
 * Turns rows (e.g. the inputs of the last N logged predictions) into one column per feature;
 * a feature absent from a row counts as missing.
 *
 * @example
 * ```ts
 * rowsToColumns([{ a: 1, b: "x" }, { a: 2 }], ["a", "b"]); // { a: [1, 2], b: ["x", undefined] }
 * ```
 */
export function rowsToColumns(
  rows: readonly Readonly<Record<string, DriftValue>>[],
  features: readonly string[],
): Record<string, DriftValue[]> {
  const columns: Record<string, DriftValue[]> = {};
  for (const feature of features) columns[feature] = rows.map((row) => row[feature]);
  return columns;
}
