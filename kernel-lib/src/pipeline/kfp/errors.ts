/**
 * A pipeline spec that cannot be expressed as a Kubeflow pipeline (no steps, a param type KFP
 * cannot carry, a step that reads a value no step produces…). The message says which step or
 * param and what to change in the notebook.
 *
 * @example
 * ```ts
 * try {
 *   exportKubeflowPipeline(spec, { image: "ghcr.io/acme/steps:1" });
 * } catch (err) {
 *   if (err instanceof KfpExportError) console.error(err.message);
 * }
 * ```
 */
export class KfpExportError extends Error {
  override readonly name = "KfpExportError";
}
