// Data drift: the current window of a feature against its reference sample, Evidently's methods.
export * from "./errors";
export { detectDrift, rowsToColumns, DEFAULT_DRIFT_SHARE } from "./drift-report";
export type { DriftMethodOptions, DriftOptions, DriftReport, FeatureColumns } from "./drift-report";
export { featureDrift } from "./feature-drift";
export type { FeatureDrift, FeatureDriftOptions } from "./feature-drift";
export { referenceFromBundle } from "./bundle-reference";
export { inferFeatureKind, presentValues, INTEGER_CATEGORY_LIMIT } from "./feature-values";
export type { DriftValue, PresentValues } from "./feature-values";
export {
  DRIFT_METHODS,
  FEW_DISTINCT_VALUES,
  SMALL_REFERENCE_MAX_SIZE,
  defaultDriftMethod,
  runDriftMethod,
} from "./drift-methods";
export type { DriftMethod, DriftMethodResult, DriftMethodSpec } from "./drift-methods";
export type { FeatureKind } from "./binning";
export type { CategoryValue } from "./category-counts";
export { ksTwoSample, KS_EXACT_MAX_SIZE } from "./ks-test";
export type { KsTestResult } from "./ks-test";
export { chiSquareTest } from "./chi-square-test";
export type { ChiSquareTestResult } from "./chi-square-test";
export { proportionsZTest } from "./z-test";
export type { ZTestResult } from "./z-test";
export {
  normedWassersteinDistance,
  wassersteinDistance,
  WASSERSTEIN_MIN_NORM,
} from "./wasserstein";
export { jensenShannonDistance } from "./jensen-shannon";
export { populationStabilityIndex } from "./psi";
