/**
 * The feature store on Kiln's data lake: feature views materialized incrementally from raw
 * tables, point-in-time training sets joined from them and their tensor form for tfjs, and
 * online lookups of the latest values per key. The functions are also on `kiln.data`. See
 * docs/data.md.
 *
 * @example
 * ```ts
 * const set = await kiln.data.getTrainingSet(entities, { table: "sensor_features", features: ["temp"] });
 * const { values, shape } = kiln.toTensorInput(set.table, set.features);
 * ```
 */
export type { TrainingSet, TrainingSetOptions, FeatureRead } from "./training-set";
export type { EntityRows } from "./entity-rows";
export type { FeatureView, FeatureViewInit, FeatureTransform, RawRow } from "./feature-view";
export type { MaterializeOptions, MaterializeResult, MaterializedSource } from "./materialize";
export type {
  OnlineFeatures,
  OnlineFeaturesOptions,
  EntityKey,
  FeatureViewRef,
} from "./online-features";
export { VIEW_CATALOG_TABLE } from "./view-catalog";
export { toTensorInput, type TensorInput } from "./tensor-input";
export { FeatureOptionsError, EntityRowError } from "./errors";
