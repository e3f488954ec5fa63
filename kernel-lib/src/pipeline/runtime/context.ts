/**
 * How a step process learns what it is running: the executor writes a {@link StepContext} JSON
 * file and passes its path in `KILN_STEP_CONTEXT`. Without that variable the code runs
 * interactively (tslab), and the runtime falls back to notebook behaviour.
 *
 * @example
 * ```ts
 * const context = stepContext();
 * if (context) console.log(`running step ${context.step} of ${context.pipeline}`);
 * ```
 */
import { readFileSync } from "node:fs";
import type { JsonValue } from "../../spec";

/** Environment variable holding the path of the step's context file. */
export const STEP_CONTEXT_ENV = "KILN_STEP_CONTEXT";

/** Schema id of {@link StepContext} files. */
export const STEP_CONTEXT_SCHEMA = "kiln.step-context/v1";

/**
 * Where a marshalled value lives: its `value.json` and each of its side files (relative path →
 * absolute path). In the artifact store these are blobs; in a directory they sit side by side.
 */
export interface ValueLocation {
  valueFile: string;
  files: Record<string, string>;
}

/** The MLflow run a step logs to (a nested run of the pipeline run). */
export interface StepTrackingContext {
  trackingUri: string;
  runId: string;
  artifactUri: string;
  /** Where undeliverable writes are spooled. */
  spoolDir: string;
}

/** Everything a step process needs besides its program. JSON-serialisable. */
export interface StepContext {
  schema: typeof STEP_CONTEXT_SCHEMA;
  pipeline: string;
  step: string;
  /** Pipeline run id (`<stateDir>/runs/<runId>.json`), or a caller's id outside the executor. */
  runId: string;
  /** The run's params: defaults overridden by the run's own values. */
  params: Record<string, JsonValue>;
  inputs: Record<string, ValueLocation>;
  /** Output name → directory the step writes it into (created by the step). */
  outputs: Record<string, string>;
  /** The step writes a {@link StepResult} here before it exits. */
  resultFile: string;
  tracking?: StepTrackingContext;
}

/** What a step process reports back through `resultFile`. */
export type StepResult =
  | { status: "succeeded" }
  | { status: "failed"; error: { name: string; message: string; stack?: string } };

let cached: { context: StepContext | undefined } | undefined;

/**
 * The context of the current step process, or `undefined` when running interactively. Read once
 * per process; a missing or malformed file is an error (the executor always writes one).
 */
export function stepContext(): StepContext | undefined {
  if (cached) return cached.context;
  const file = process.env[STEP_CONTEXT_ENV];
  cached = { context: file ? readContextFile(file) : undefined };
  return cached.context;
}

function readContextFile(file: string): StepContext {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(
      `${STEP_CONTEXT_ENV}=${file} cannot be read as a step context (${(error as Error).message}). ` +
        `Unset ${STEP_CONTEXT_ENV} to run interactively, or start the step through the Kiln executor.`,
      { cause: error },
    );
  }
  if ((parsed as { schema?: unknown } | null)?.schema !== STEP_CONTEXT_SCHEMA) {
    throw new Error(
      `${file} is not a Kiln step context (expected schema "${STEP_CONTEXT_SCHEMA}"). ` +
        "It was written by another Kiln version: re-run the pipeline with this one.",
    );
  }
  return parsed as StepContext;
}
