import {
  describeValue,
  InputValidationError,
  type FeatureRow,
  type FeatureSpec,
  type FeatureValue,
} from "./endpoint-model";

const int32Min = -(2 ** 31);
const int32Max = 2 ** 31 - 1;

/** What a value of `datatype` looks like, for error messages. */
export function expectedValue(feature: FeatureSpec): string {
  switch (feature.datatype) {
    case "FP32":
      return "a number (FP32) or null";
    case "INT32":
      return "a 32-bit integer (INT32) or null";
    case "BOOL":
      return "true or false (BOOL) or null";
  }
}

/** Whether `value` is a valid value of `feature` (null, a missing value, always is). */
export function isFeatureValue(feature: FeatureSpec, value: unknown): value is FeatureValue {
  if (value === null) return true;
  switch (feature.datatype) {
    case "FP32":
      return typeof value === "number" && Number.isFinite(value);
    case "INT32":
      return (
        typeof value === "number" &&
        Number.isInteger(value) &&
        value >= int32Min &&
        value <= int32Max
      );
    case "BOOL":
      return typeof value === "boolean";
  }
}

/**
 * Checks client rows against a model's features and completes them (an absent optional feature
 * becomes `null`), so `predict` always gets every feature. Range checks (min/max) stay with the
 * model, which may answer out-of-range values with its fallback.
 *
 * @example
 * normalizeRows(model.inputs, [{ tenure: 3 }]); // [{ tenure: 3, plan: null }]
 * @throws InputValidationError naming the row, the feature and what was expected.
 */
export function normalizeRows(features: FeatureSpec[], rows: unknown[]): FeatureRow[] {
  const known = new Set(features.map((feature) => feature.name));
  return rows.map((row, index) => {
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      throw new InputValidationError("row", "an object of feature values", {
        row: index,
        received: row,
        message: `Row ${index}: expected an object of feature values, got ${describeValue(row)}.`,
      });
    }
    const values = row as Record<string, unknown>;
    for (const name of Object.keys(values)) {
      if (!known.has(name)) throw unknownInput(name, features, index);
    }
    const normalized: FeatureRow = {};
    for (const feature of features) {
      const value = values[feature.name];
      if (value === undefined) {
        if (feature.required) throw missingInput(feature, index);
        normalized[feature.name] = null;
      } else if (isFeatureValue(feature, value)) {
        normalized[feature.name] = value;
      } else {
        throw new InputValidationError(feature.name, expectedValue(feature), {
          row: index,
          received: value,
        });
      }
    }
    return normalized;
  });
}

/** The error for an input the model does not have. */
export function unknownInput(
  name: string,
  features: FeatureSpec[],
  row?: number,
): InputValidationError {
  return new InputValidationError(name, "a known input", {
    ...(row === undefined ? {} : { row }),
    message: `Unknown input "${name}"${row === undefined ? "" : ` in row ${row}`}; the model's inputs are ${featureList(features)}.`,
  });
}

/** The error for a required input the client left out. */
export function missingInput(feature: FeatureSpec, row?: number): InputValidationError {
  return new InputValidationError(feature.name, expectedValue(feature), {
    ...(row === undefined ? {} : { row }),
    message: `Missing required input "${feature.name}"${row === undefined ? "" : ` in row ${row}`}; send ${expectedValue(feature)} for it.`,
  });
}

/** `"a" (FP32), "b" (BOOL, optional)` for error messages. */
export function featureList(features: FeatureSpec[]): string {
  return features
    .map((f) => `"${f.name}" (${f.datatype}${f.required ? "" : ", optional"})`)
    .join(", ");
}
