/**
 * The cache identity of one step execution. The spec's step hash covers the step's code, shared
 * code, param defaults, upstream step hashes and the lockfile. A run can override params, and an
 * upstream step with `cache: false` may produce new data from the same code, so the key adds the
 * values of the params the step reads and the content (blob hashes) of the inputs it receives.
 * It is computed when the step is ready, from its upstream steps' outputs.
 *
 * @example
 * ```ts
 * const key = stepCacheKey(step, { epochs: 5, lr: 0.01 }, { rows: upstreamEntry.outputs.rows });
 * ```
 */
import { createHash } from "node:crypto";
import type { JsonValue, StepSpec } from "../../spec";
import type { StoredValue } from "./artifact-store";

/** sha256 hex of the step's hash, its params' values and its inputs' content. */
export function stepCacheKey(
  step: StepSpec,
  params: Record<string, JsonValue>,
  inputs: Record<string, StoredValue>,
): string {
  const identity = {
    hash: step.hash,
    params: [...step.params].sort().map((name) => [name, params[name] ?? null]),
    inputs: Object.keys(inputs)
      .sort()
      .map((name) => [name, inputs[name]?.value, sortedEntries(inputs[name]?.files ?? {})]),
  };
  return createHash("sha256").update(JSON.stringify(identity)).digest("hex");
}

function sortedEntries(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}
