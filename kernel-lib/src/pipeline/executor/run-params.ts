/**
 * A run's params: the spec's defaults overridden by the values given for the run, checked
 * against the declared types before anything runs.
 *
 * @example
 * ```ts
 * resolveRunParams(spec, { epochs: 5 }); // { lr: 0.01, epochs: 5 }
 * resolveRunParams(spec, { epocs: 5 });  // throws PipelineParamsError: unknown param "epocs"
 * ```
 */
import type { JsonValue, ParamSpec, PipelineSpec } from "../../spec";

/** Run params that do not match the pipeline's params cell; lists every problem at once. */
export class PipelineParamsError extends Error {
  override readonly name = "PipelineParamsError";
  constructor(
    readonly pipeline: string,
    readonly problems: string[],
  ) {
    super(
      `Invalid params for pipeline "${pipeline}": ${problems.join("; ")}. ` +
        "Params are declared in the notebook's params cell; pass only those, with the declared types.",
    );
  }
}

/** Defaults overridden by `given`; throws PipelineParamsError for unknown names or wrong types. */
export function resolveRunParams(
  spec: PipelineSpec,
  given: Record<string, unknown> = {},
): Record<string, JsonValue> {
  const declared = new Map(spec.params.map((p) => [p.name, p]));
  const problems: string[] = [];
  for (const [name, value] of Object.entries(given)) {
    const param = declared.get(name);
    if (!param) {
      const known = [...declared.keys()].map((n) => `"${n}"`).join(", ") || "none";
      problems.push(`unknown param "${name}" (declared: ${known})`);
      continue;
    }
    const problem = typeProblem(param, value);
    if (problem) problems.push(`param "${name}" ${problem}`);
  }
  if (problems.length > 0) throw new PipelineParamsError(spec.name, problems);
  const resolved: Record<string, JsonValue> = {};
  for (const param of spec.params) {
    resolved[param.name] = (given[param.name] ?? param.default) as JsonValue;
  }
  return resolved;
}

function typeProblem(param: ParamSpec, value: unknown): string | undefined {
  const got = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
  switch (param.type) {
    case "number":
      if (typeof value !== "number") return `must be a number, got ${got}`;
      if (!Number.isFinite(value)) return `must be a finite number, got ${value}`;
      return undefined;
    case "string":
    case "boolean":
      return typeof value === param.type ? undefined : `must be a ${param.type}, got ${got}`;
    case "json":
      return isJson(value)
        ? undefined
        : "must be a JSON value (null, boolean, finite number, string, array or plain object)";
  }
}

function isJson(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJson);
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value).every(isJson);
  }
  return false;
}
