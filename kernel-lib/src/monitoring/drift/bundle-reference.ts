/**
 * The reference side of drift detection from a model bundle: the raw value sample that
 * `reference.json` keeps per feature. Bundles logged before Kiln kept samples have only summary
 * statistics, which drift tests cannot use.
 *
 * @example
 * ```ts
 * const bundle = await loadBundle(dir);
 * const report = detectDrift(referenceFromBundle(bundle.reference), window);
 * ```
 */
import type { ReferenceStats } from "../../serving/bundle/reference-stats";
import type { FeatureColumns } from "./drift-report";
import { DriftInputError } from "./errors";

const RELOG =
  "re-log the model with kiln.log.model(..., { reference }) so that reference.json keeps a " +
  "sample of the training values";

/** One column of reference values per feature, from a bundle's `reference.json`. */
export function referenceFromBundle(stats: ReferenceStats | undefined): FeatureColumns {
  if (stats === undefined) {
    throw new DriftInputError(`This bundle has no reference data (no reference.json); ${RELOG}.`);
  }
  const columns: Record<string, readonly number[]> = {};
  for (const [feature, featureStats] of Object.entries(stats.features)) {
    if (featureStats.sample === undefined) {
      throw new DriftInputError(
        `This bundle has no reference sample (reference.json holds summary statistics only, ` +
          `feature "${feature}"); ${RELOG}.`,
        feature,
      );
    }
    columns[feature] = featureStats.sample;
  }
  return columns;
}
