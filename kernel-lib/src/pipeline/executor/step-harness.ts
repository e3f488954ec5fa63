/**
 * The part of a step process that is not the notebook's code: the generated program calls
 * {@link runStepProgram} with its body, and the harness loads the inputs named in the step
 * context, runs the body, marshals the outputs into their directories, delivers `kiln.log`
 * calls, writes the result file and exits (0 on success, 1 on failure).
 *
 * @example
 * ```ts
 * // in a generated program (see step-program.ts)
 * runStepProgram(async (params, inputs) => {
 *   const rows = inputs["rows"];
 *   const total = rows.length;
 *   return { total };
 * });
 * ```
 */
import { writeFileSync } from "node:fs";
import { closeLog } from "../runtime/log";
import { stepContext, STEP_CONTEXT_ENV } from "../runtime/context";
import type { StepContext, StepResult } from "../runtime/context";
import { marshalValue, unmarshalValue } from "./marshal";

/** The body of a generated step program. */
export type StepProgramBody = (
  params: Record<string, unknown>,
  inputs: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

/** Runs a step body under the current step context, then exits the process. */
export function runStepProgram(body: StepProgramBody): void {
  const context = stepContext();
  if (!context) {
    console.error(
      `This is a Kiln step program; it needs ${STEP_CONTEXT_ENV} (run it through runPipeline or run-step-cli).`,
    );
    process.exit(2);
  }
  void runWithContext(body, context).then((code) => process.exit(code));
}

async function runWithContext(body: StepProgramBody, context: StepContext): Promise<number> {
  let result: StepResult;
  try {
    const inputs: Record<string, unknown> = {};
    for (const [name, location] of Object.entries(context.inputs)) {
      inputs[name] = await unmarshalValue(location, name);
    }
    const outputs = await body(context.params, inputs);
    for (const [name, dir] of Object.entries(context.outputs)) {
      await marshalValue(outputs[name], dir, { step: context.step, name });
    }
    await closeLog();
    result = { status: "succeeded" };
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    console.error(err.stack ?? `${err.name}: ${err.message}`);
    // The failure is the step's; a tracking problem on the way out must not hide it.
    await closeLog().catch(() => undefined);
    result = {
      status: "failed",
      error: { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) },
    };
  }
  writeFileSync(context.resultFile, JSON.stringify(result));
  return result.status === "succeeded" ? 0 : 1;
}
