import {
  InputValidationError,
  type FeatureRow,
  type ServedModel,
} from "../../server/src/serving/endpoint-model";

/** A `ServedModel` for tests, with the calls it received (`matrixCalls`: rows per `predictMatrix`). */
export type FakeServedModel = ServedModel & { calls: FeatureRow[][]; matrixCalls: number[] };

/**
 * A linear model for serving tests (the real bundle is loaded elsewhere): `probability = 0.5 *
 * tenure + 2 * visits + (annual ? 1 : 0) + bias`, version `v` adding `bias = v` (so answers show the
 * version; `withAnnual: false` leaves the BOOL feature out). A null `tenure` or `visits` answers
 * `-1` through the fallback; a negative `tenure` is an `InputValidationError` thrown by `predict`
 * (as a bundle's range check would be). `matrix: true` makes every input FP32 (no `annual`) and
 * adds `predictMatrix` with the same answers.
 *
 * @example
 * const model = fakeServedModel({ version: "2", delayMs: 5 });
 */
export function fakeServedModel(
  options: {
    version?: string;
    delayMs?: number;
    endpoint?: string;
    withAnnual?: boolean;
    matrix?: boolean;
  } = {},
): FakeServedModel {
  const version = options.version ?? "1";
  const calls: FeatureRow[][] = [];
  const matrixCalls: number[] = [];
  const model: FakeServedModel = {
    endpoint: options.endpoint ?? "churn",
    modelName: "churn-model",
    version,
    inputs: [
      { name: "tenure", datatype: "FP32", required: true, min: 0 },
      { name: "visits", datatype: options.matrix ? "FP32" : "INT32", required: true },
      ...(options.withAnnual === false || options.matrix
        ? []
        : [{ name: "annual", datatype: "BOOL" as const, required: false }]),
    ],
    outputs: [{ name: "probability", datatype: "FP32", shape: [1] }],
    calls,
    matrixCalls,
    async predict(rows) {
      calls.push(rows);
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      rows.forEach((row, index) => {
        if (typeof row.tenure === "number" && row.tenure < 0) {
          throw new InputValidationError("tenure", "a number >= 0", {
            row: index,
            received: row.tenure,
          });
        }
      });
      const bias = Number(version);
      return {
        outputs: rows.map((row) =>
          row.tenure === null || row.visits === null
            ? [-1]
            : [0.5 * Number(row.tenure) + 2 * Number(row.visits) + (row.annual ? 1 : 0) + bias],
        ),
        usedFallback: rows.map((row) => row.tenure === null || row.visits === null),
      };
    },
  };
  if (options.matrix) {
    model.predictMatrix = async ({ rows, values }) => {
      matrixCalls.push(rows);
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      const { outputs, usedFallback } = await predictFromRows(
        Array.from({ length: rows }, (_, i) => ({
          tenure: Number.isNaN(values[2 * i]) ? null : values[2 * i]!,
          visits: Number.isNaN(values[2 * i + 1]) ? null : values[2 * i + 1]!,
        })),
      );
      calls.pop(); // counted as a matrix call
      return { outputs: Float32Array.from(outputs.flat()), usedFallback };
    };
  }
  const predictFromRows = model.predict.bind(model);
  return model;
}
