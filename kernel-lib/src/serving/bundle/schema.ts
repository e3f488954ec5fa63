/**
 * The input schema of a model bundle (`input-schema.json`): which scalar features a request row
 * holds, their dtype, valid range and whether the main model needs them. `checkRow` decides per
 * row whether the main model can serve it, the fallback must, or the row is malformed.
 *
 * @example
 * ```ts
 * const schema = defineInputSchema({
 *   features: [
 *     { name: "temperature", dtype: "float32", min: -40, max: 120 },
 *     { name: "vibration", dtype: "float32", min: 0, required: false, default: 0 },
 *   ],
 * });
 * checkRow(schema, { temperature: 21.5, vibration: null }, 0); // { kind: "ok", values: {...} }
 * ```
 */
import { BundleDefinitionError, BundleInputError } from "./errors";

/** Schema id written into `input-schema.json`. */
export const INPUT_SCHEMA_FORMAT = "kiln.input-schema/v1";

/** Element type of a feature; `bool` travels as 0 / 1. */
export type FeatureDtype = "float32" | "int32" | "bool";

/** One scalar input feature. */
export type FeatureSpec = {
  name: string;
  dtype: FeatureDtype;
  /** Always `[]` (scalar) in this format version; kept so later versions can add tensors. */
  shape?: [];
  /** Smallest valid value (inclusive). */
  min?: number;
  /** Largest valid value (inclusive). */
  max?: number;
  /** Default true: a missing, NaN or out-of-range value routes the row to the fallback. */
  required?: boolean;
  /** Value used when an optional feature is missing (default 0). */
  default?: number;
};

/** What users pass to `kiln.log.model(..., { inputSchema })`. */
export type InputSchemaInit = { features: FeatureSpec[] };

/** The normalized schema as stored in `input-schema.json`. */
export type InputSchema = {
  format: typeof INPUT_SCHEMA_FORMAT;
  features: NormalizedFeature[];
};

/** A feature with defaults filled in. */
export type NormalizedFeature = {
  name: string;
  dtype: FeatureDtype;
  shape: [];
  required: boolean;
  min?: number;
  max?: number;
  default?: number;
};

/** One request row: feature name → value (`null` or absent = missing). */
export type InputRow = Record<string, number | null | undefined>;

/** Outcome of {@link checkRow}. */
export type RowCheck =
  | { kind: "ok"; values: Record<string, number> }
  /** A required feature is unusable: the main model cannot serve the row. */
  | { kind: "degraded"; values: Record<string, number | null>; field: string; reason: string };

const DTYPES: readonly FeatureDtype[] = ["float32", "int32", "bool"];
const FEATURE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Validates and normalizes a schema definition. Throws BundleDefinitionError naming the feature
 * and what is wrong with it.
 */
export function defineInputSchema(init: InputSchemaInit | InputSchema): InputSchema {
  const features = (init as { features?: unknown }).features;
  if (!Array.isArray(features) || features.length === 0) {
    throw new BundleDefinitionError(
      "inputSchema.features must be a non-empty array of { name, dtype, min?, max?, required? }.",
    );
  }
  const seen = new Set<string>();
  const normalized = features.map((raw: unknown, index): NormalizedFeature => {
    const feature = (raw ?? {}) as FeatureSpec;
    const where = `inputSchema.features[${index}]`;
    const fail = (problem: string, fix: string): never => {
      throw new BundleDefinitionError(
        `${where} (${JSON.stringify(feature.name)}): ${problem}; ${fix}.`,
      );
    };
    if (typeof feature.name !== "string" || !FEATURE_NAME.test(feature.name)) {
      fail("the name is not a plain identifier", 'use letters, digits, "_", "." or "-"');
    }
    if (seen.has(feature.name)) fail("the name appears twice", "give every feature its own name");
    seen.add(feature.name);
    if (!DTYPES.includes(feature.dtype))
      fail(`dtype is ${JSON.stringify(feature.dtype)}`, `use one of ${DTYPES.join(", ")}`);
    if (
      feature.shape !== undefined &&
      (!Array.isArray(feature.shape) || feature.shape.length !== 0)
    ) {
      fail("shape must be [] (scalar features only)", "split vectors into one feature per element");
    }
    for (const key of ["min", "max", "default"] as const) {
      const value = feature[key];
      if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) {
        fail(`${key} is ${String(value)}`, `make ${key} a finite number or leave it out`);
      }
    }
    if (feature.min !== undefined && feature.max !== undefined && feature.min > feature.max) {
      fail(`min ${feature.min} is above max ${feature.max}`, "swap them");
    }
    return {
      name: feature.name,
      dtype: feature.dtype,
      shape: [],
      required: feature.required ?? true,
      ...(feature.min !== undefined ? { min: feature.min } : {}),
      ...(feature.max !== undefined ? { max: feature.max } : {}),
      ...(feature.default !== undefined ? { default: feature.default } : {}),
    };
  });
  return { format: INPUT_SCHEMA_FORMAT, features: normalized };
}

/** `a float32 number in [0, 10]`: what a feature accepts, for messages. */
export function describeFeature(feature: NormalizedFeature): string {
  const kind =
    feature.dtype === "bool"
      ? "0 or 1"
      : feature.dtype === "int32"
        ? "an int32 integer"
        : "a float32 number";
  const range =
    feature.min !== undefined || feature.max !== undefined
      ? ` in [${feature.min ?? "-inf"}, ${feature.max ?? "inf"}]`
      : "";
  return `${kind}${range}${feature.required ? "" : " or null"}`;
}

/**
 * Checks one row. Malformed input (unknown keys, non-numbers, non-integers for int32) throws
 * BundleInputError; a missing, NaN or out-of-range *required* feature makes the row
 * `degraded` (the caller routes it to the fallback or reports it); optional features that are
 * unusable take their default.
 */
export function checkRow(schema: InputSchema, row: InputRow, index: number): RowCheck {
  if (typeof row !== "object" || row === null || Array.isArray(row)) {
    throw new BundleInputError(
      index,
      "(row)",
      "an object of feature name → number",
      describeValue(row),
    );
  }
  const known = new Set(schema.features.map((f) => f.name));
  for (const key of Object.keys(row)) {
    if (!known.has(key)) {
      throw new BundleInputError(
        index,
        key,
        `one of the features ${[...known].join(", ")}`,
        "an unknown field",
      );
    }
  }
  const values: Record<string, number | null> = {};
  let degraded: { field: string; reason: string } | undefined;
  for (const feature of schema.features) {
    const value = row[feature.name];
    if (value !== null && value !== undefined && typeof value !== "number") {
      throw new BundleInputError(
        index,
        feature.name,
        describeFeature(feature),
        describeValue(value),
      );
    }
    const problem = usabilityProblem(feature, value);
    if (problem === undefined) {
      if (feature.dtype !== "float32" && !Number.isInteger(value)) {
        throw new BundleInputError(
          index,
          feature.name,
          describeFeature(feature),
          describeValue(value),
        );
      }
      if (feature.dtype === "bool" && value !== 0 && value !== 1) {
        throw new BundleInputError(
          index,
          feature.name,
          describeFeature(feature),
          describeValue(value),
        );
      }
      values[feature.name] = value as number;
    } else if (feature.required) {
      values[feature.name] = null;
      degraded ??= { field: feature.name, reason: `"${feature.name}" ${problem}` };
    } else {
      values[feature.name] = feature.default ?? 0;
    }
  }
  return degraded === undefined
    ? { kind: "ok", values: values as Record<string, number> }
    : { kind: "degraded", values, ...degraded };
}

/** Why a value cannot be used for `feature` (undefined when it can). */
export function usabilityProblem(
  feature: NormalizedFeature,
  value: number | null | undefined,
): string | undefined {
  if (value === null || value === undefined) return "is missing";
  if (Number.isNaN(value)) return "is NaN";
  if (!Number.isFinite(value)) return `is ${value}`;
  if (feature.min !== undefined && value < feature.min)
    return `is ${value}, below min ${feature.min}`;
  if (feature.max !== undefined && value > feature.max)
    return `is ${value}, above max ${feature.max}`;
  return undefined;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "number") return String(value);
  return `${value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`}`;
}
