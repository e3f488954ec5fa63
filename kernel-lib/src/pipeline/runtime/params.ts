/**
 * `kiln.params`: the params of the pipeline run this step belongs to (defaults overridden by the
 * run's values). Interactively (tslab) it is `{}`: the notebook's params cell declares the
 * defaults as plain consts, and the executor binds the run's values to those same names, so cell
 * code rarely needs `kiln.params` at all.
 *
 * @example
 * ```ts
 * import * as kiln from "@kiln/kernel-lib";
 * const epochs = (kiln.params.epochs as number | undefined) ?? 20;
 * ```
 */
import { stepContext } from "./context";

/** The run's params inside a step; `{}` interactively. Read-only. */
export const params: Readonly<Record<string, unknown>> = Object.freeze({
  ...stepContext()?.params,
});
