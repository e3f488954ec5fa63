import type { LoadedBundle } from "@kiln/kernel-lib";

// Per loaded bundle: its errors are computed once (a few thousand rows through the model).
const computed = new WeakMap<LoadedBundle, readonly number[] | undefined>();

/**
 * An autoencoder's reconstruction errors on its training reference sample (the rows of
 * `reference.json`'s per-feature samples): the baseline live reconstruction errors are compared
 * with. Each error is the mean squared difference between a row's features and the model's
 * outputs, as for served rows. Undefined when the bundle is not an autoencoder (outputs ≠
 * features), has no reference sample, or its samples are not whole rows (features with missing
 * values are sampled separately).
 *
 * @example
 * const baseline = trainingReconstructionErrors(bundle); // [0.012, 0.009, …] or undefined
 */
export function trainingReconstructionErrors(bundle: LoadedBundle): readonly number[] | undefined {
  if (computed.has(bundle)) return computed.get(bundle);
  const errors = compute(bundle);
  computed.set(bundle, errors);
  return errors;
}

function compute(bundle: LoadedBundle): readonly number[] | undefined {
  const features = bundle.schema.features.map((feature) => feature.name);
  const samples = features.map((name) => bundle.reference?.features[name]?.sample);
  const size = samples[0]?.length ?? 0;
  if (size === 0 || samples.some((sample) => sample?.length !== size)) return undefined;
  const rows = Array.from({ length: size }, (_, i) =>
    Object.fromEntries(features.map((name, j) => [name, samples[j]![i]!])),
  );
  const { outputs, usedFallback } = bundle.predict(rows);
  if (outputs[0]?.length !== features.length) return undefined;
  return rows.flatMap((row, i) =>
    usedFallback[i]
      ? []
      : [
          features.reduce((sum, name, j) => sum + (row[name]! - outputs[i]![j]!) ** 2, 0) /
            features.length,
        ],
  );
}
