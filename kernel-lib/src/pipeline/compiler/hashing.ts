// Content hashes: a step's hash changes exactly when something that can change its outputs
// changes, and the spec hash identifies a pipeline version.

import { createHash } from "node:crypto";
import type { ParamSpec, PipelineSpec } from "../../spec/pipeline-spec";

/**
 * JSON with object keys sorted at every depth (arrays keep their order), so equal values always
 * serialise, and hash, identically.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : v,
  );
}

/**
 * Hex sha256 of a string or bytes.
 *
 * @example
 * ```ts
 * sha256("abc").slice(0, 8); // "ba7816bf"
 * ```
 */
export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** What a step's hash covers. */
export interface StepHashInput {
  code: string;
  sharedCode: string;
  /** The transform code, or "" when the step uses no transform. */
  transformCode: string;
  /** The params the step reads, with their defaults. */
  params: ParamSpec[];
  /** Hashes of the direct upstream steps, by step name. */
  upstream: Record<string, string>;
  lockfileHash: string;
}

/**
 * A step's cache identity. Upstream hashes make a change anywhere upstream invalidate every step
 * below it; the step's own name is left out, so renaming a step keeps its cached outputs.
 *
 * @example
 * ```ts
 * const hash = stepHash({ code, sharedCode: "", transformCode: "", params: [], upstream: {}, lockfileHash });
 * ```
 */
export function stepHash(input: StepHashInput): string {
  const params = [...input.params].sort((a, b) => (a.name < b.name ? -1 : 1));
  return sha256(canonicalJson({ kind: "kiln.step/v1", ...input, params }));
}

/**
 * The spec hash: sha256 of the canonical JSON of the spec without its `hash` field.
 *
 * @example
 * ```ts
 * const spec: PipelineSpec = { ...draft, hash: specHash(draft) };
 * ```
 */
export function specHash(spec: Omit<PipelineSpec, "hash"> | PipelineSpec): string {
  // The version names content: the same notebook compiled from another directory (another
  // relative path) is the same version. JSON drops the undefined fields.
  return sha256(
    canonicalJson({ ...spec, hash: undefined, notebook: { ...spec.notebook, path: undefined } }),
  );
}
