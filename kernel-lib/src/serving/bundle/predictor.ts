/**
 * Loads a verified bundle and predicts with it: each row is checked against the input schema,
 * rows the main model cannot serve (a required feature missing, NaN or out of range) go to the
 * fallback model, the transform runs per row, and each model gets one batched `predict` call.
 *
 * @example
 * ```ts
 * const { tf } = await loadTensorflow();
 * const bundle = await loadBundle("/srv/models/regressor", tf);
 * const { outputs, usedFallback } = bundle.predict([{ temperature: 21, pressure: null }]);
 * bundle.dispose();
 * ```
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { LayersModel } from "@tensorflow/tfjs";
import type { Tensorflow } from "../../tf/backend";
import { fileModelHandler } from "../../tf/file-io";
import { BundleDefinitionError, BundleInputError } from "./errors";
import type { BundleManifest } from "./manifest";
import { verifyBundle } from "./read-bundle";
import type { ReferenceStats } from "./reference-stats";
import {
  checkRow,
  defineInputSchema,
  describeFeature,
  usabilityProblem,
  type InputRow,
  type InputSchema,
} from "./schema";
import {
  compileTransform,
  type RowTransform,
  type TransformManifest,
  type TransformRow,
} from "./transform-code";

/** What {@link LoadedBundle.predict} returns, one entry per input row. */
export type BundlePrediction = {
  outputs: number[][];
  usedFallback: boolean[];
  /** Why a row went to the fallback (undefined for rows the main model served). */
  fallbackReasons: (string | undefined)[];
};

/** What {@link LoadedBundle.predictMatrix} returns: outputs row-major, `width` values per row. */
export type BundleMatrixPrediction = Omit<BundlePrediction, "outputs"> & {
  outputs: Float32Array;
  width: number;
};

/** A bundle ready to serve. */
export interface LoadedBundle {
  readonly dir: string;
  readonly manifest: BundleManifest;
  readonly schema: InputSchema;
  readonly reference: ReferenceStats | undefined;
  /**
   * Predicts a batch. Throws BundleInputError for the first row that is malformed, or that needs
   * the fallback when there is none (or the fallback's own features are unusable too).
   */
  predict(rows: readonly InputRow[]): BundlePrediction;
  /**
   * Predicts `rows` rows given as one row-major matrix with a column per schema feature, in
   * schema order; NaN is a missing value. Same answers and errors as `predict`, but a bundle
   * without a transform whose features are all float32 feeds the matrix to the model as it is
   * (no per-row objects) unless a row needs the fallback.
   */
  predictMatrix(values: Float32Array, rows: number): BundleMatrixPrediction;
  /** Frees the models' tensors. */
  dispose(): void;
}

/** Verifies the bundle in `dir` (checksums) and loads its models with `tf`. */
export async function loadBundle(dir: string, tf: Tensorflow): Promise<LoadedBundle> {
  const manifest = await verifyBundle(dir);
  const schema = defineInputSchema(await readJson<InputSchema>(dir, manifest.inputSchema));
  const reference = manifest.reference
    ? await readJson<ReferenceStats>(dir, manifest.reference)
    : undefined;
  let transform: RowTransform | undefined;
  if (manifest.transform) {
    const definition = await readJson<TransformManifest>(dir, manifest.transform);
    const code = await readFile(join(dir, definition.file), "utf8");
    transform = compileTransform(
      { code, entry: definition.entry, language: definition.language },
      dir,
    );
  }
  const model = await tf.loadLayersModel(fileModelHandler(join(dir, manifest.model.path)));
  const fallback = manifest.fallback
    ? await tf.loadLayersModel(fileModelHandler(join(dir, manifest.fallback.path)))
    : undefined;
  const predictor: Predictor = { tf, manifest, schema, transform, model, fallback };
  return {
    dir,
    manifest,
    schema,
    reference,
    predict: (rows) => predictRows(predictor, rows),
    predictMatrix: (values, rows) => predictMatrix(predictor, values, rows),
    dispose() {
      model.dispose();
      fallback?.dispose();
    },
  };
}

type Predictor = {
  tf: Tensorflow;
  manifest: BundleManifest;
  schema: InputSchema;
  transform: RowTransform | undefined;
  model: LayersModel;
  fallback: LayersModel | undefined;
};

function predictRows(p: Predictor, rows: readonly InputRow[]): BundlePrediction {
  const main: { index: number; row: TransformRow }[] = [];
  const degraded: { index: number; row: TransformRow }[] = [];
  const fallbackReasons: (string | undefined)[] = rows.map(() => undefined);
  rows.forEach((row, index) => {
    const check = checkRow(p.schema, row, index);
    if (check.kind === "ok") {
      main.push({ index, row: check.values });
      return;
    }
    if (!p.fallback || !p.manifest.fallback) {
      throw rejectDegraded(p.schema, check.field, index, row);
    }
    for (const name of p.manifest.fallback.features) {
      const feature = p.schema.features.find((f) => f.name === name);
      if (feature && usabilityProblem(feature, check.values[name]) !== undefined) {
        throw new BundleInputError(
          index,
          name,
          `${describeFeature(feature)} (the fallback model needs it)`,
          String(row[name] ?? "nothing"),
        );
      }
    }
    degraded.push({ index, row: check.values });
    fallbackReasons[index] = check.reason;
  });
  const outputs = new Array<number[]>(rows.length);
  runModel(p, p.model, p.manifest.model.features, main, outputs);
  if (p.fallback && p.manifest.fallback)
    runModel(p, p.fallback, p.manifest.fallback.features, degraded, outputs);
  return { outputs, usedFallback: fallbackReasons.map((r) => r !== undefined), fallbackReasons };
}

// One predict call per model per batch: rows are stacked into a [n, features] tensor.
function runModel(
  p: Predictor,
  model: LayersModel,
  features: readonly string[],
  batch: readonly { index: number; row: TransformRow }[],
  outputs: number[][],
): void {
  if (batch.length === 0) return;
  // Rows go straight into one Float32Array and come back from one typed array: building nested
  // JS arrays on either side costs more than the predict call itself for small models.
  const width = features.length;
  const matrix = new Float32Array(batch.length * width);
  batch.forEach(({ index, row }, i) => {
    const input = p.transform ? applyTransform(p.transform, row, index) : row;
    for (let j = 0; j < width; j++) {
      const value = input[features[j]!];
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new BundleDefinitionError(
          `Row ${index}: after the transform, model input "${features[j]!}" is ${String(value)}, expected a finite number. Fix the bundle's transform.`,
        );
      }
      matrix[i * width + j] = value;
    }
  });
  const result = runMatrix(p.tf, model, matrix, batch.length, width);
  const outputWidth = result.length / batch.length;
  batch.forEach(({ index }, i) => {
    outputs[index] = Array.from(result.subarray(i * outputWidth, (i + 1) * outputWidth));
  });
}

/** One `predict` call on a [rows, width] float32 matrix; the output row-major. */
function runMatrix(
  tf: Tensorflow,
  model: LayersModel,
  matrix: Float32Array,
  rows: number,
  width: number,
): Float32Array {
  // The tensor leaves `tidy` rather than its values: tidy walks whatever its callback returns,
  // element by element for a typed array.
  const output = tf.tidy(() => {
    const prediction = model.predict(tf.tensor2d(matrix, [rows, width], "float32"));
    const tensor = Array.isArray(prediction) ? prediction[0] : prediction;
    if (!tensor) throw new BundleDefinitionError("The model returned no output tensor.");
    return tensor;
  });
  try {
    return output.dataSync() as Float32Array;
  } finally {
    output.dispose();
  }
}

function predictMatrix(p: Predictor, values: Float32Array, rows: number): BundleMatrixPrediction {
  const features = p.schema.features;
  if (!Number.isInteger(rows) || rows < 0 || values.length !== rows * features.length) {
    throw new TypeError(
      `predictMatrix expects rows × ${features.length} values (one column per schema feature), got ${values.length} values for ${rows} rows.`,
    );
  }
  const usedFallback = new Array<boolean>(rows).fill(false);
  if (rows === 0) {
    return { outputs: new Float32Array(0), width: 0, usedFallback, fallbackReasons: [] };
  }
  const ready = p.transform === undefined ? modelReadyMatrix(p, values) : undefined;
  if (ready === undefined) {
    // A transform works on records, and a row needing the fallback is scored on its own: both
    // take the row path, with NaN read back as a missing value.
    const prediction = predictRows(p, matrixRows(features, values, rows));
    const width = prediction.outputs[0]?.length ?? 0;
    const outputs = new Float32Array(rows * width);
    prediction.outputs.forEach((row, i) => outputs.set(row, i * width));
    return { ...prediction, outputs, width };
  }
  const outputs = runMatrix(p.tf, p.model, ready, rows, features.length);
  return {
    outputs,
    width: outputs.length / rows,
    usedFallback,
    fallbackReasons: usedFallback.map(() => undefined),
  };
}

/**
 * The main model's input matrix when every row is usable as it is: float32 features only, each
 * value finite and in range (optional ones replaced by their default when not). Undefined when a
 * row needs the row path. Bounds are compared in float32, the precision the values arrive in.
 */
function modelReadyMatrix(p: Predictor, values: Float32Array): Float32Array | undefined {
  const features = p.schema.features;
  if (features.some((feature) => feature.dtype !== "float32")) return undefined;
  const width = features.length;
  let matrix = values;
  for (let j = 0; j < width; j++) {
    const feature = features[j]!;
    const min = feature.min === undefined ? -Infinity : Math.fround(feature.min);
    const max = feature.max === undefined ? Infinity : Math.fround(feature.max);
    for (let i = j; i < values.length; i += width) {
      const value = values[i]!;
      if (value >= min && value <= max && value !== Infinity && value !== -Infinity) continue;
      if (feature.required) return undefined;
      if (matrix === values) matrix = values.slice();
      matrix[i] = feature.default ?? 0;
    }
  }
  // The main model reads the schema's features in order; a bundle saying otherwise takes the
  // row path, which reads them by name.
  const names = p.manifest.model.features;
  const inSchemaOrder =
    names.length === width && names.every((name, j) => name === features[j]!.name);
  return inSchemaOrder ? matrix : undefined;
}

function matrixRows(
  features: InputSchema["features"],
  values: Float32Array,
  rows: number,
): InputRow[] {
  const width = features.length;
  return Array.from({ length: rows }, (_, i) => {
    const row: InputRow = {};
    for (let j = 0; j < width; j++) {
      const value = values[i * width + j]!;
      row[features[j]!.name] = Number.isNaN(value) ? null : value;
    }
    return row;
  });
}

function applyTransform(transform: RowTransform, row: TransformRow, index: number): TransformRow {
  try {
    // A copy: a transform that mutates its argument must not change what the caller sent.
    return transform({ ...row });
  } catch (error) {
    throw new BundleDefinitionError(
      `Row ${index}: the bundle's transform threw: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function rejectDegraded(
  schema: InputSchema,
  name: string,
  index: number,
  row: InputRow,
): BundleInputError {
  const feature = schema.features.find((f) => f.name === name);
  const value = row[name];
  return new BundleInputError(
    index,
    name,
    `${feature ? describeFeature(feature) : "a value"} (required; this model has no fallback)`,
    value === undefined || value === null ? "nothing" : String(value),
  );
}

async function readJson<T>(dir: string, file: string): Promise<T> {
  return JSON.parse(await readFile(join(dir, file), "utf8")) as T;
}
