/**
 * Runs one step of a compiled pipeline outside the local executor: the entry point of a Kubeflow
 * container (see `../kfp/`), or of any orchestrator that moves directories between tasks.
 *
 * ```
 * node kernel-lib/dist/pipeline/executor/run-step-cli.js \
 *   --spec spec.json --step NAME [--params params.json] \
 *   [--input NAME=DIR ...] [--output NAME=DIR ...] \
 *   [--work-dir DIR] [--log FILE] [--notebook-dir DIR] [--mlflow-run-id ID]
 * ```
 *
 * Contract:
 * - `--spec`: a PipelineSpec as JSON (what `compileNotebook` returns).
 * - `--params`: a JSON object of run params; unknown names or wrong types fail before the step
 *   runs; missing ones take the spec's defaults. Optional (all defaults).
 * - `--input NAME=DIR`, one per input of the step: a directory produced by the upstream step's
 *   `--output` (`value.json` plus side files; see marshal.ts). Every input must be given.
 * - `--output NAME=DIR`, one per output of the step: the directory to write (created; pass it
 *   unchanged to downstream steps' `--input`). Every output must be given.
 * - The step's stdout and stderr pass through (and are appended to `--log` when given). Generated
 *   program, context and result file go to `--work-dir` (default: a new temporary directory).
 * - Packages resolve from `node_modules` above `--notebook-dir` (default: the working directory),
 *   then from the Kiln install this file belongs to.
 * - Tracking: with `MLFLOW_TRACKING_URI` set, `kiln.log.*` goes to `--mlflow-run-id` when given
 *   (the caller creates and ends that run), else to a new run in the experiment named after the
 *   pipeline (tags `kiln.step`, `kiln.step.hash`), ended by this command. Without it, untracked.
 * - Exit status: 0 when the step succeeded and all outputs were written; 1 when the step failed
 *   (its error is the last stderr line, prefixed `kiln: step failed:`); 2 for usage errors.
 *
 * @example
 * ```sh
 * node run-step-cli.js --spec /tmp/spec.json --step train --params /tmp/params.json \
 *   --input features=/data/features --output model=/data/model
 * ```
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { MlflowClient } from "../../mlflow/client";
import type { PipelineSpec } from "../../spec";
import { STEP_CONTEXT_SCHEMA } from "../runtime/context";
import type { StepContext, StepTrackingContext } from "../runtime/context";
import { locateValueInDir } from "./marshal";
import { stepHarnessPath, stepNodePath } from "./module-paths";
import { resolveRunParams } from "./run-params";
import { findStep, generateStepSource, transpileStepProgram } from "./step-program";
import { describeStepFailure, runStepProcess } from "./step-process";
import { writeFile } from "node:fs/promises";

/** A command-line mistake: exit status 2 with this message. */
export class StepCliUsageError extends Error {
  override readonly name = "StepCliUsageError";
}

const USAGE =
  "usage: run-step-cli --spec spec.json --step NAME [--params params.json] [--input NAME=DIR ...] [--output NAME=DIR ...] [--work-dir DIR] [--log FILE] [--notebook-dir DIR] [--mlflow-run-id ID]";

/** Runs the command with `argv` (without `node` and the script); resolves with the exit status. */
export async function runStepCli(
  argv: string[],
  io: { stdout: (text: string) => void; stderr: (text: string) => void } = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
): Promise<number> {
  let prepared: Awaited<ReturnType<typeof prepare>>;
  try {
    prepared = await prepare(argv);
  } catch (error) {
    io.stderr(`kiln: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { context, contextFile, programFile, logFile, nodePath, cwd, ownRun } = prepared;
  await writeFile(contextFile, JSON.stringify(context, null, 2));
  const started = Date.now();
  const outcome = await runStepProcess({
    programFile,
    contextFile,
    logFile,
    nodePath,
    cwd,
    onLine: (stream, line) => (stream === "stdout" ? io.stdout : io.stderr)(`${line}\n`),
  });
  const ok = outcome.result?.status === "succeeded" && outcome.exitCode === 0;
  if (ownRun) {
    ownRun.client.enqueueMetrics(ownRun.runId, { duration_seconds: (Date.now() - started) / 1000 });
    await ownRun.client.logArtifact(ownRun.runId, logFile, "logs").catch(() => undefined);
    await ownRun.client.endRun(ownRun.runId, ok ? "FINISHED" : "FAILED");
    await ownRun.client.close();
  }
  if (!ok) {
    io.stderr(`kiln: step failed: ${describeStepFailure(outcome)}\n`);
    return 1;
  }
  return 0;
}

async function prepare(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      spec: { type: "string" },
      step: { type: "string" },
      params: { type: "string" },
      input: { type: "string", multiple: true, default: [] },
      output: { type: "string", multiple: true, default: [] },
      "work-dir": { type: "string" },
      log: { type: "string" },
      "notebook-dir": { type: "string" },
      "mlflow-run-id": { type: "string" },
    },
    strict: true,
  });
  if (!values.spec || !values.step) throw new StepCliUsageError("--spec and --step are required");
  const spec = await readJson<PipelineSpec>(values.spec, "the spec");
  const step = findStep(spec, values.step);
  const params = resolveRunParams(
    spec,
    values.params ? await readJson<Record<string, unknown>>(values.params, "the params") : {},
  );
  const inputDirs = pairs(values.input, "--input");
  const outputDirs = pairs(values.output, "--output");
  expectNames(
    "--input",
    inputDirs,
    step.inputs.map((i) => i.name),
    step.name,
  );
  expectNames("--output", outputDirs, step.outputs, step.name);

  const workDir = resolve(values["work-dir"] ?? (await mkdtemp(join(tmpdir(), "kiln-step-"))));
  const source = generateStepSource(spec, step.name, { harness: stepHarnessPath() });
  const programFile = join(workDir, "program.js");
  await writeFile(join(workDir, "program.ts"), source);
  await writeFile(programFile, transpileStepProgram(source, "program"));

  const inputs: StepContext["inputs"] = {};
  for (const [name, dir] of Object.entries(inputDirs))
    inputs[name] = await locateValueInDir(dir, name);

  const trackingUri = process.env["MLFLOW_TRACKING_URI"];
  const spoolDir = join(workDir, "spool");
  let tracking: StepTrackingContext | undefined;
  let ownRun: { client: MlflowClient; runId: string } | undefined;
  if (trackingUri) {
    const client = new MlflowClient({ trackingUri, spoolDir });
    const run = values["mlflow-run-id"]
      ? await client.getRun(values["mlflow-run-id"])
      : await client.createRun({
          experimentId: (await client.getOrCreateExperiment(spec.name)).experimentId,
          runName: step.name,
          tags: { "kiln.pipeline": spec.name, "kiln.step": step.name, "kiln.step.hash": step.hash },
        });
    if (values["mlflow-run-id"]) await client.close();
    else ownRun = { client, runId: run.info.runId };
    tracking = { trackingUri, runId: run.info.runId, artifactUri: run.info.artifactUri, spoolDir };
  }

  const context: StepContext = {
    schema: STEP_CONTEXT_SCHEMA,
    pipeline: spec.name,
    step: step.name,
    runId: process.env["KILN_RUN_ID"] ?? `step-${Date.now()}`,
    params,
    inputs,
    outputs: outputDirs,
    resultFile: join(workDir, "result.json"),
    ...(tracking ? { tracking } : {}),
  };
  const cwd = resolve(values["notebook-dir"] ?? process.cwd());
  return {
    context,
    contextFile: join(workDir, "context.json"),
    programFile,
    logFile: resolve(values.log ?? join(workDir, "step.log")),
    nodePath: stepNodePath(cwd),
    cwd,
    ownRun,
  };
}

async function readJson<T>(file: string, what: string): Promise<T> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch (error) {
    throw new StepCliUsageError(`cannot read ${what} from ${file}: ${(error as Error).message}`);
  }
}

function pairs(values: string[], flag: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf("=");
    if (at <= 0 || at === value.length - 1) {
      throw new StepCliUsageError(`${flag} ${value}: expected NAME=DIR`);
    }
    result[value.slice(0, at)] = resolve(value.slice(at + 1));
  }
  return result;
}

function expectNames(
  flag: string,
  given: Record<string, string>,
  wanted: string[],
  step: string,
): void {
  const missing = wanted.filter((name) => !(name in given));
  const extra = Object.keys(given).filter((name) => !wanted.includes(name));
  if (missing.length === 0 && extra.length === 0) return;
  const list = (names: string[]) => names.map((n) => `"${n}"`).join(", ");
  throw new StepCliUsageError(
    `step "${step}" needs ${flag} for ${wanted.length ? list(wanted) : "nothing"}` +
      (missing.length ? `; missing ${list(missing)}` : "") +
      (extra.length ? `; not used by the step: ${list(extra)}` : ""),
  );
}

if (require.main === module) {
  runStepCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`kiln: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
