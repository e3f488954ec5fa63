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

/** How many values one row of `output` holds. */
export function outputSize(output: OutputSpec): number {
  return output.shape.reduce((size, dim) => size * Math.max(dim, 1), 1);
}
