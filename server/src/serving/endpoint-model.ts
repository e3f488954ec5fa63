/** The datatypes a served model's input features can have (Open Inference Protocol names). */
export type FeatureDatatype = "FP32" | "INT32" | "BOOL";

/** One feature value of one row; `null` is a missing value, which the model may answer with its fallback. */
export type FeatureValue = number | boolean | null;

/** One row to score: feature name → value. */
export type FeatureRow = Record<string, FeatureValue>;

/** One input feature of a served model, in the model's feature order. */
export type FeatureSpec = {
  name: string;
  datatype: FeatureDatatype;
  /** A required feature must be present in every row (it may still be `null`, a missing value). */
  required: boolean;
  min?: number;
  max?: number;
};

/** One output tensor of a served model; `shape` is per row, without the batch dimension. */
export type OutputSpec = { name: string; datatype: "FP32"; shape: number[] };

/** What `ServedModel.predict` answers: one entry per row, in the order of the rows. */
export type BatchPrediction = {
  /** Row i's output values: every output of `ServedModel.outputs` in order, each flattened row-major. */
  outputs: number[][];
  /** Whether row i was answered by the model's fallback (e.g. a missing feature) instead of the model. */
  usedFallback: boolean[];
};

/**
 * Rows as one row-major FP32 matrix: `rows` rows of one value per `ServedModel.inputs` entry, in
 * that order. NaN is a missing value (like `null` in a `FeatureRow`).
 */
export type FeatureMatrix = { rows: number; values: Float32Array };

/** What `ServedModel.predictMatrix` answers: every output of a row in order, row-major. */
export type MatrixPrediction = {
  /** `rows × (sum of the outputs' sizes)` values. */
  outputs: Float32Array;
  usedFallback: boolean[];
};

/**
 * A loaded model version behind a serving endpoint. The model bundle implements it; serving only
 * validates rows against `inputs`, batches them and calls `predict`.
 *
 * @example
 * const model: ServedModel = {
 *   endpoint: "churn", modelName: "churn-model", version: "3",
 *   inputs: [{ name: "tenure", datatype: "FP32", required: true }],
 *   outputs: [{ name: "probability", datatype: "FP32", shape: [1] }],
 *   predict: async (rows) => ({ outputs: rows.map(() => [0.5]), usedFallback: rows.map(() => false) }),
 * };
 */
export interface ServedModel {
  endpoint: string;
  modelName: string;
  version: string;
  /** Feature names in order, with datatype, required flag and optional min/max. */
  inputs: FeatureSpec[];
  outputs: OutputSpec[];
  /**
   * One call for a whole batch of rows; must be safe to call concurrently. Every row holds every
   * feature of `inputs` (an absent optional feature is `null`). Throws `InputValidationError` for
   * bad rows; anything else it throws is a server error.
   */
  predict(rows: FeatureRow[]): Promise<BatchPrediction>;
  /**
   * The same for rows sent as one matrix, so a numeric request never becomes row objects. Only
   * offered by models whose inputs are all FP32; same contract as `predict` otherwise.
   */
  predictMatrix?(matrix: FeatureMatrix): Promise<MatrixPrediction>;
}

/**
 * A row the model cannot score because of the client's input: it answers 400, never 5xx.
 *
 * @example
 * throw new InputValidationError("age", "a number between 0 and 130", { row: 2, received: -4 });
 */
export class InputValidationError extends Error {
  override name = "InputValidationError";
  /** The row index within the request (or within the batch `predict` was given), when known. */
  readonly row: number | undefined;

  constructor(
    readonly field: string,
    readonly expected: string,
    details: { row?: number; received?: unknown; message?: string } = {},
  ) {
    super(
      details.message ??
        `Input "${field}"${details.row === undefined ? "" : ` (row ${details.row})`}: expected ${expected}` +
          ("received" in details ? `, got ${describeValue(details.received)}.` : "."),
    );
    this.row = details.row;
  }
}

/** A short rendering of a client's value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The rows of `matrix` as `FeatureRow`s (NaN becomes `null`), for code that works on rows. */
export function matrixToRows(inputs: readonly FeatureSpec[], matrix: FeatureMatrix): FeatureRow[] {
  const width = inputs.length;
  return Array.from({ length: matrix.rows }, (_, i) => {
    const row: FeatureRow = {};
    for (let j = 0; j < width; j++) {
      const value = matrix.values[i * width + j]!;
      row[inputs[j]!.name] = Number.isNaN(value) ? null : value;
    }
    return row;
  });
}

/** How many values one row of all of a model's outputs holds together. */
export function rowWidth(model: Pick<ServedModel, "outputs">): number {
  return model.outputs.reduce((total, output) => total + outputSize(output), 0);
}

/** How many values one row of `output` holds. */
export function outputSize(output: OutputSpec): number {
  return output.shape.reduce((size, dim) => size * Math.max(dim, 1), 1);
}
