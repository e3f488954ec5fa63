/**
 * Executes one step that is not cached: writes its program and context under the run's
 * directory, runs it in its own process, and moves its outputs into the artifact store.
 *
 * Layout under `<stateDir>/runs/<runId>/`: `steps/<step>/{program.ts,program.js,context.json,
 * result.json,outputs/}` and `logs/<step>.log`.
 *
 * @example
 * ```ts
 * const entry = await executeStep({ spec, step, cacheKey, runId, runDir, store, params, inputs,
 *   logFile, onLine: (stream, line) => console.log(line) });
 * ```
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { JsonValue, PipelineSpec, StepSpec } from "../../spec";
import { STEP_CONTEXT_SCHEMA } from "../runtime/context";
import type { StepContext, StepTrackingContext } from "../runtime/context";
import type { ArtifactStore, CacheEntry, StoredValue } from "./artifact-store";
import { stepHarnessPath, stepNodePath } from "./module-paths";
import { generateStepSource, transpileStepProgram } from "./step-program";
import { describeStepFailure, runStepProcess } from "./step-process";

/** A step ran and failed; carries the one-line reason and where its log is. */
export class StepFailedError extends Error {
  override readonly name = "StepFailedError";
  constructor(
    readonly step: string,
    readonly reason: string,
    readonly logFile: string,
  ) {
    super(`Step "${step}" failed: ${reason} (log: ${logFile})`);
  }
}

/** Options of {@link executeStep}. */
export type StepExecutionOptions = {
  spec: PipelineSpec;
  step: StepSpec;
  cacheKey: string;
  runId: string;
  runDir: string;
  store: ArtifactStore;
  params: Record<string, JsonValue>;
  /** The stored upstream values, by input name. */
  inputs: Record<string, StoredValue>;
  logFile: string;
  tracking?: StepTrackingContext;
  notebookDir?: string;
  /** Environment variables removed from the step's process. */
  withoutEnv?: readonly string[];
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
};

/**
 * A file-name-safe form of a step name: the name itself when it is plain, otherwise its unsafe
 * characters replaced and a short hash appended (so `a b` and `a_b` stay apart).
 *
 * @example
 * ```ts
 * stepFileName("train"); // "train"
 * stepFileName("Train Model!"); // "Train_Model_-5f2a9c"
 * ```
 */
export function stepFileName(step: string): string {
  if (/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(step) && !step.includes("..")) return step;
  const hash = createHash("sha256").update(step).digest("hex").slice(0, 6);
  return `${step.replace(/[^A-Za-z0-9_.-]/g, "_").replace(/\.\./g, "__")}-${hash}`;
}

/** Runs the step; resolves with its cache entry (already written), rejects with StepFailedError. */
export async function executeStep(options: StepExecutionOptions): Promise<CacheEntry> {
  const { step, store } = options;
  const stepDir = join(options.runDir, "steps", stepFileName(step.name));
  const outputsDir = join(stepDir, "outputs");
  await mkdir(outputsDir, { recursive: true });
  await mkdir(join(options.logFile, ".."), { recursive: true });

  const source = generateStepSource(options.spec, step.name, { harness: stepHarnessPath() });
  const programFile = join(stepDir, "program.js");
  await writeFile(join(stepDir, "program.ts"), source);
  await writeFile(programFile, transpileStepProgram(source, stepFileName(step.name)));

  const context: StepContext = {
    schema: STEP_CONTEXT_SCHEMA,
    pipeline: options.spec.name,
    step: step.name,
    runId: options.runId,
    params: options.params,
    inputs: Object.fromEntries(
      Object.entries(options.inputs).map(([name, stored]) => [name, store.locate(stored)]),
    ),
    outputs: Object.fromEntries(step.outputs.map((name) => [name, join(outputsDir, name)])),
    resultFile: join(stepDir, "result.json"),
    ...(options.tracking ? { tracking: options.tracking } : {}),
  };
  const contextFile = join(stepDir, "context.json");
  await writeFile(contextFile, JSON.stringify(context, null, 2));

  const outcome = await runStepProcess({
    programFile,
    contextFile,
    logFile: options.logFile,
    nodePath: stepNodePath(options.notebookDir),
    ...(options.notebookDir ? { cwd: options.notebookDir } : {}),
    ...(options.withoutEnv ? { withoutEnv: options.withoutEnv } : {}),
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  if (outcome.result?.status !== "succeeded" || outcome.exitCode !== 0) {
    throw new StepFailedError(step.name, describeStepFailure(outcome), options.logFile);
  }

  const outputs: Record<string, StoredValue> = {};
  for (const [name, dir] of Object.entries(context.outputs))
    outputs[name] = await store.ingest(dir);
  const entry: CacheEntry = {
    cacheKey: options.cacheKey,
    step: step.name,
    outputs,
    createdAt: Date.now(),
    ...(options.tracking ? { mlflowRunId: options.tracking.runId } : {}),
  };
  await store.writeCacheEntry(entry);
  return entry;
}
