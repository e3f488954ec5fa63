/**
 * Client-side validation, run before anything is buffered or sent. MLflow checks most of this too,
 * but it silently truncates long values, and `log-batch` is not atomic on the server (params,
 * metrics and tags are committed in separate transactions), so a bad entry found by the server
 * can leave a batch half-written. Checking here keeps "rejected" meaning "nothing written".
 *
 * Decision on NaN/±Infinity metrics: rejected with `MlflowValidationError`. MLflow itself stores
 * them, but a NaN loss is almost always a training bug the user wants to see at once, not a gap in
 * a chart discovered later.
 */
import { MlflowValidationError } from "./errors";
import type { DatasetInput, MetricRecord, ParamRecord, TagRecord } from "./types";

/**
 * MLflow's own limits (mlflow/utils/validation.py in MLflow 3.17).
 *
 * @example
 * ```ts
 * if (key.length > MLFLOW_LIMITS.keyLength) { ... }
 * ```
 */
export const MLFLOW_LIMITS = {
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 8000,
  experimentNameLength: 500,
  aliasLength: 255,
  datasetNameLength: 500,
  datasetDigestLength: 36,
  datasetSourceLength: 65535,
  datasetSchemaLength: 1048575,
  datasetProfileLength: 16777215,
  batchMetrics: 1000,
  batchParams: 100,
  batchTags: 100,
  batchEntities: 1000,
  batchBytes: 1_000_000,
} as const;

// MLflow's pattern is Python's `^[/\w.\- :]*$`, where `\w` is Unicode-aware: `größe` is a valid key.
const KEY_PATTERN = /^[/\p{L}\p{N}_.\- :]*$/u;
const ALIAS_PATTERN = /^[\p{L}\p{N}_-]+$/u;
const VERSION_ALIAS_PATTERN = /^v\d+$/i;

/** A param value as a notebook user writes it; stored as its string form. */
export type ParamValue = string | number | boolean;

function fail(field: string, problem: string, allowed: string, fix: string): never {
  throw new MlflowValidationError({ field, problem, allowed, fix });
}

function preview(value: string): string {
  return value.length > 40 ? `"${value.slice(0, 40)}…" (${value.length} chars)` : `"${value}"`;
}

/**
 * Checks a metric/param/tag key as MLflow does: non-empty, ≤ 250 chars, only letters, digits and
 * `_ - . : / space`, and no path tricks (`..`, `.`, leading/trailing/double `/`) because keys are
 * used as file names by some stores.
 *
 * @example
 * ```ts
 * assertValidKey("metric key", "train/loss"); // ok
 * assertValidKey("metric key", "../etc");     // throws MlflowValidationError
 * ```
 */
export function assertValidKey(field: string, key: unknown): asserts key is string {
  const allowed = `a non-empty string of ≤ ${MLFLOW_LIMITS.keyLength} letters, digits, "_", "-", ".", ":", " " and "/" with no empty, "." or ".." path segments`;
  if (typeof key !== "string") fail(field, `got ${typeof key}`, allowed, "pass a string key");
  if (key.length === 0) fail(field, "it is empty", allowed, "give the entry a name");
  if (key.length > MLFLOW_LIMITS.keyLength) {
    fail(field, `${preview(key)} is too long`, allowed, "shorten the key");
  }
  if (!KEY_PATTERN.test(key)) {
    fail(
      field,
      `${preview(key)} has characters MLflow rejects`,
      allowed,
      "replace them, e.g. with _",
    );
  }
  const segments = key.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) {
    fail(
      field,
      `${preview(key)} would resolve to another path`,
      allowed,
      'remove leading/trailing/double "/" and "." or ".." segments',
    );
  }
}

/**
 * Converts a param value to MLflow's string form and checks its length (≤ 6000).
 *
 * @example
 * ```ts
 * paramValueToString("lr", 0.001); // "0.001"
 * ```
 */
export function paramValueToString(key: string, value: unknown): string {
  const allowed = `a string, finite number or boolean of ≤ ${MLFLOW_LIMITS.paramValueLength} chars`;
  const field = `param "${key}" value`;
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof value === "number" || typeof value === "boolean") text = String(value);
  else
    fail(
      field,
      `got ${value === null ? "null" : typeof value}`,
      allowed,
      "convert it, e.g. JSON.stringify(value)",
    );
  if (text.length > MLFLOW_LIMITS.paramValueLength) {
    fail(field, `${preview(text)} is too long`, allowed, "log large values as an artifact instead");
  }
  return text;
}

/**
 * Checks a tag value (a string of ≤ 8000 chars).
 *
 * @example
 * ```ts
 * assertValidTagValue("team", "vision");
 * ```
 */
export function assertValidTagValue(key: string, value: unknown): asserts value is string {
  const allowed = `a string of ≤ ${MLFLOW_LIMITS.tagValueLength} chars`;
  const field = `tag "${key}" value`;
  if (typeof value !== "string") fail(field, `got ${typeof value}`, allowed, "pass String(value)");
  if (value.length > MLFLOW_LIMITS.tagValueLength) {
    fail(
      field,
      `${preview(value)} is too long`,
      allowed,
      "log large values as an artifact instead",
    );
  }
}

/**
 * Checks a metric value: a finite number. NaN and ±Infinity are rejected on purpose (see module doc).
 *
 * @example
 * ```ts
 * assertValidMetricValue("loss", 0.3); // ok
 * assertValidMetricValue("loss", NaN); // throws
 * ```
 */
export function assertValidMetricValue(key: string, value: unknown): asserts value is number {
  const allowed = "a finite number (NaN and ±Infinity are rejected by Kiln)";
  const field = `metric "${key}" value`;
  if (typeof value !== "number") fail(field, `got ${typeof value}`, allowed, "pass a number");
  if (!Number.isFinite(value)) {
    fail(
      field,
      `got ${value}`,
      allowed,
      "check the computation for a diverging loss or a division by zero",
    );
  }
}

/**
 * Checks a step or timestamp: a safe integer (MLflow stores int64).
 *
 * @example
 * ```ts
 * assertValidInteger("metric \"loss\" step", 3);
 * ```
 */
export function assertValidInteger(field: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    fail(field, `got ${String(value)}`, "a safe integer", "round it, e.g. Math.floor(step)");
  }
}

/**
 * Checks an experiment name (non-empty, ≤ 500 chars).
 *
 * @example
 * ```ts
 * assertValidExperimentName("churn");
 * ```
 */
export function assertValidExperimentName(name: unknown): asserts name is string {
  const allowed = `a non-empty string of ≤ ${MLFLOW_LIMITS.experimentNameLength} chars`;
  if (typeof name !== "string" || name.trim() === "") {
    fail("experiment name", "it is empty or not a string", allowed, "name the experiment");
  }
  if (name.length > MLFLOW_LIMITS.experimentNameLength) {
    fail("experiment name", `${preview(name)} is too long`, allowed, "shorten it");
  }
}

/**
 * Checks a registered model name: non-empty, no `/` or `:`, no path tricks (as MLflow does).
 *
 * @example
 * ```ts
 * assertValidModelName("churn-classifier");
 * ```
 */
export function assertValidModelName(name: unknown): asserts name is string {
  const allowed = 'a non-empty string without "/" or ":" that is not "." or ".."';
  if (typeof name !== "string" || name.trim() === "") {
    fail("model name", "it is empty or not a string", allowed, "name the model");
  }
  if (name.includes("/") || name.includes(":") || name === "." || name === "..") {
    fail("model name", `${preview(name)} is not allowed`, allowed, 'use "-" or "_" instead');
  }
}

/**
 * Checks a registry alias: `^[\w-]+$`, ≤ 255 chars, and not the reserved `latest` or `v<digits>`.
 *
 * @example
 * ```ts
 * assertValidAlias("champion"); // ok
 * assertValidAlias("v2");       // throws: reserved
 * ```
 */
export function assertValidAlias(alias: unknown): asserts alias is string {
  const allowed = `letters, digits, "_" and "-" (≤ ${MLFLOW_LIMITS.aliasLength} chars), not "latest" or "v<number>"`;
  if (typeof alias !== "string" || alias === "") {
    fail("alias", "it is empty or not a string", allowed, 'use a name such as "champion"');
  }
  if (!ALIAS_PATTERN.test(alias) || alias.length > MLFLOW_LIMITS.aliasLength) {
    fail(
      "alias",
      `${preview(alias)} has characters MLflow rejects or is too long`,
      allowed,
      'use e.g. "challenger"',
    );
  }
  if (alias.toLowerCase() === "latest" || VERSION_ALIAS_PATTERN.test(alias)) {
    fail(
      "alias",
      `"${alias}" is reserved by MLflow`,
      allowed,
      'pick another name, e.g. "champion"',
    );
  }
}

/**
 * Normalises a relative artifact path to `a/b/c` form and rejects anything that could escape the
 * run's artifact root: absolute paths, drive letters, backslashes and `..` segments.
 * Returns `""` for the root when `allowRoot` is true.
 *
 * @example
 * ```ts
 * normalizeArtifactPath("./plots/roc.png"); // "plots/roc.png"
 * normalizeArtifactPath("../secrets");      // throws
 * ```
 */
export function normalizeArtifactPath(path: unknown, options?: { allowRoot?: boolean }): string {
  const allowed = 'a relative path with "/" separators and no ".." segments';
  const field = "artifact path";
  if (typeof path !== "string") fail(field, `got ${typeof path}`, allowed, "pass a string");
  if (path.startsWith("/") || /^[a-zA-Z]:/.test(path) || path.includes("\\")) {
    fail(
      field,
      `${preview(path)} is absolute or uses "\\"`,
      allowed,
      "make it relative to the run's artifact root",
    );
  }
  const segments = path.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) {
    fail(field, `${preview(path)} contains ".."`, allowed, 'remove the ".." segments');
  }
  if (segments.some((s) => s.includes("\0"))) {
    fail(field, `${preview(path)} contains a NUL byte`, allowed, "remove it");
  }
  const normalized = segments.join("/");
  if (normalized === "" && !options?.allowRoot) {
    fail(field, "it is empty", allowed, "name the artifact");
  }
  return normalized;
}

/**
 * Validates a whole `logParams` call and returns its entries; throws before anything is buffered.
 * `alreadyLogged` catches changing a param's value, which MLflow refuses after part of a batch
 * may already be committed.
 *
 * @example
 * ```ts
 * validateParams({ lr: 0.01, layers: 3 }); // [{ key: "lr", value: "0.01" }, ...]
 * ```
 */
export function validateParams(
  params: Record<string, unknown>,
  alreadyLogged?: ReadonlyMap<string, string>,
): ParamRecord[] {
  assertRecord("params", params);
  return Object.entries(params).map(([key, raw]) => {
    assertValidKey("param key", key);
    const value = paramValueToString(key, raw);
    const previous = alreadyLogged?.get(key);
    if (previous !== undefined && previous !== value) {
      fail(
        `param "${key}"`,
        `it was already logged as "${previous}" and cannot change to "${value}"`,
        "one value per param and run",
        "log the new value under another key, or use a metric or tag for values that change",
      );
    }
    return { key, value };
  });
}

/**
 * Validates a whole `logMetrics` call and returns its entries stamped with one timestamp.
 *
 * @example
 * ```ts
 * validateMetrics({ loss: 0.3, acc: 0.9 }, 5, Date.now());
 * ```
 */
export function validateMetrics(
  metrics: Record<string, unknown>,
  step: number,
  timestamp: number,
): MetricRecord[] {
  assertRecord("metrics", metrics);
  assertValidInteger("metric step", step);
  assertValidInteger("metric timestamp", timestamp);
  return Object.entries(metrics).map(([key, value]) => {
    assertValidKey("metric key", key);
    assertValidMetricValue(key, value);
    return { key, value, step, timestamp };
  });
}

/**
 * Validates a whole `setTags` call and returns its entries.
 *
 * @example
 * ```ts
 * validateTags({ team: "vision" }); // [{ key: "team", value: "vision" }]
 * ```
 */
export function validateTags(tags: Record<string, unknown>): TagRecord[] {
  assertRecord("tags", tags);
  return Object.entries(tags).map(([key, value]) => {
    assertValidKey("tag key", key);
    assertValidTagValue(key, value);
    return { key, value };
  });
}

/**
 * Validates a dataset input (MLflow's size limits for name, digest, source, schema, profile).
 *
 * @example
 * ```ts
 * validateDatasetInput({ dataset: { name: "iris", digest: "abc", sourceType: "local", source: "{}" } });
 * ```
 */
export function validateDatasetInput(input: DatasetInput): void {
  const { dataset } = input;
  const required = [
    ["name", dataset?.name, MLFLOW_LIMITS.datasetNameLength],
    ["digest", dataset?.digest, MLFLOW_LIMITS.datasetDigestLength],
    ["sourceType", dataset?.sourceType, Infinity],
    ["source", dataset?.source, MLFLOW_LIMITS.datasetSourceLength],
  ] as const;
  const optional = [
    ["schema", dataset?.schema, MLFLOW_LIMITS.datasetSchemaLength],
    ["profile", dataset?.profile, MLFLOW_LIMITS.datasetProfileLength],
  ] as const;
  for (const [name, value, max] of required) {
    if (typeof value !== "string" || value === "") {
      fail(`dataset ${name}`, "it is missing", `a non-empty string`, `set dataset.${name}`);
    }
    if (value.length > max)
      fail(`dataset ${name}`, "it is too long", `≤ ${max} chars`, "shorten it");
  }
  for (const [name, value, max] of optional) {
    if (value === undefined) continue;
    if (typeof value !== "string")
      fail(`dataset ${name}`, `got ${typeof value}`, "a string", "JSON.stringify it");
    if (value.length > max)
      fail(`dataset ${name}`, "it is too long", `≤ ${max} chars`, "shorten it");
  }
  validateTags(input.tags ?? {});
}

function assertRecord(field: string, value: unknown): asserts value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(
      field,
      `got ${Array.isArray(value) ? "an array" : typeof value}`,
      "a plain object of key → value",
      `pass { key: value }`,
    );
  }
}
