import {
  BundleInputError,
  data,
  type BundleOnlineFeaturesEntry,
  type InputRow,
  type LoadedBundle,
} from "@kiln/kernel-lib";
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
  const online = bundle.manifest.onlineFeatures;
  const lookedUp = new Set(online?.features ?? []);
  const inputs = [
    // A bundle with online features takes entity keys (integer ids) in their place.
    ...(online?.key ?? []).map((name) => ({ name, datatype: "INT32" as const, required: true })),
    ...bundle.schema.features
      .filter((f) => !lookedUp.has(f.name))
      .map((f) => ({
        name: f.name,
        datatype: datatypes[f.dtype] ?? "FP32",
        required: f.required && (!bundle.manifest.fallback || core.has(f.name)),
        ...(f.min !== undefined ? { min: f.min } : {}),
        ...(f.max !== undefined ? { max: f.max } : {}),
      })),
  ];
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
      const complete = online ? await withOnlineFeatures(online, rows) : rows;
      return asInputErrors(() => {
        const { outputs, usedFallback } = bundle.predict(complete.map(toInputRow));
        return { outputs, usedFallback };
      });
    },
  };
  if (!online && inputs.every((input) => input.datatype === "FP32")) {
    model.predictMatrix = async ({ rows, values }: FeatureMatrix) =>
      asInputErrors(() => {
        const { outputs, usedFallback } = bundle.predictMatrix(values, rows);
        return { outputs, usedFallback };
      });
  }
  return model;
}

/**
 * The rows with the bundle's online features filled in from the feature view's latest values for
 * each row's key (null for an unknown key or a value past the view's TTL: a missing value, which
 * the fallback may answer), and the key columns taken out.
 */
async function withOnlineFeatures(
  online: BundleOnlineFeaturesEntry,
  rows: FeatureRow[],
): Promise<FeatureRow[]> {
  const view = {
    name: online.view,
    key: online.key,
    eventTime: online.eventTime,
    ttl: online.ttl,
  };
  const found = await data.getOnlineFeatures(
    view,
    rows.map((row) => online.key.map((name) => row[name])),
    { features: online.features },
  );
  return rows.map((row, i) => {
    const complete: FeatureRow = {};
    for (const name in row) if (!online.key.includes(name)) complete[name] = row[name]!;
    const values = found.rows[i];
    for (const name of online.features) {
      const value = values?.[name];
      complete[name] =
        value === null || value === undefined
          ? null
          : typeof value === "boolean" || typeof value === "bigint"
            ? Number(value)
            : (value as number);
    }
    return complete;
  });
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
