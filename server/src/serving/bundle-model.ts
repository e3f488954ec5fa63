import { BundleInputError, type InputRow, type LoadedBundle } from "@kiln/kernel-lib";
import {
  InputValidationError,
  type FeatureDatatype,
  type FeatureMatrix,
  type FeatureRow,
  type ServedModel,
} from "./endpoint-model";

const datatypes: Record<string, FeatureDatatype> = {
  float32: "FP32",
  int32: "INT32",
  bool: "BOOL",
};

/**
 * Serves a loaded model bundle on an endpoint. A feature the fallback model can do without is
 * optional on the wire, so a request from a plant whose sensor died (field absent or null) is
 * answered by the fallback instead of refused.
 *
 * @example
 * const model = await servedBundle("drill", "drill-anomaly", "3", bundle);
 * registry.swap("drill", model);
 */
export async function servedBundle(
  endpoint: string,
  modelName: string,
  version: string,
  bundle: LoadedBundle,
): Promise<ServedModel> {
  const core = new Set(bundle.manifest.fallback?.features ?? []);
  const inputs = bundle.schema.features.map((f) => ({
    name: f.name,
    datatype: datatypes[f.dtype] ?? "FP32",
    required: f.required && (!bundle.manifest.fallback || core.has(f.name)),
    ...(f.min !== undefined ? { min: f.min } : {}),
    ...(f.max !== undefined ? { max: f.max } : {}),
  }));
  // The warm-up: the first real request must not pay for graph set-up, and a bundle that cannot
  // predict at all fails promotion instead of its first request.
  const probe = bundle.predict([warmUpRow(bundle)]);
  const width = probe.outputs[0]?.length ?? 1;
  const model: ServedModel = {
    endpoint,
    modelName,
    version,
    inputs,
    outputs: [{ name: "output", datatype: "FP32", shape: [width] }],
    async predict(rows: FeatureRow[]) {
      return asInputErrors(() => {
        const { outputs, usedFallback } = bundle.predict(rows.map(toInputRow));
        return { outputs, usedFallback };
      });
    },
  };
  if (inputs.every((input) => input.datatype === "FP32")) {
    model.predictMatrix = async ({ rows, values }: FeatureMatrix) =>
      asInputErrors(() => {
        const { outputs, usedFallback } = bundle.predictMatrix(values, rows);
        return { outputs, usedFallback };
      });
  }
  return model;
}

/** Runs `predict`, turning the bundle's row errors into the serving layer's 400s. */
function asInputErrors<T>(predict: () => T): T {
  try {
    return predict();
  } catch (error) {
    if (error instanceof BundleInputError) {
      throw new InputValidationError(error.field, error.expected, {
        row: error.row,
        message: error.message,
      });
    }
    throw error;
  }
}

function toInputRow(row: FeatureRow): InputRow {
  const converted: InputRow = {};
  for (const name in row) {
    const value = row[name];
    converted[name] = typeof value === "boolean" ? Number(value) : value;
  }
  return converted;
}

/** A row every feature of which is valid: the middle of its range, or its default. */
function warmUpRow(bundle: LoadedBundle): InputRow {
  return Object.fromEntries(
    bundle.schema.features.map((f) => {
      const value =
        f.min !== undefined && f.max !== undefined
          ? (f.min + f.max) / 2
          : (f.default ?? f.min ?? f.max ?? 0);
      return [f.name, f.dtype === "float32" ? value : Math.round(value)];
    }),
  );
}
