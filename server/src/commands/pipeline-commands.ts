import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  compileNotebookFile,
  exportKubeflowPipeline,
  listPipelines,
  listRuns,
  runPipeline,
  type ParamSpec,
} from "@kiln/kernel-lib";
import { kilnPaths } from "../paths";
import { RunProgress } from "./run-progress";
import { UsageError } from "./usage-error";

/** `kiln compile NOTEBOOK [--out spec.json]` */
export async function compileCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: "string" } },
  });
  const notebook = onePositional(positionals, "kiln compile NOTEBOOK [--out spec.json]");
  const { spec, version } = await compileNotebookFile(resolve(notebook), {
    stateDir: kilnPaths.state,
  });
  if (values.out) writeJson(values.out, spec);
  console.log(`${spec.name} ${version} (${spec.hash.slice(0, 12)}): ${spec.steps.length} steps`);
  for (const step of spec.steps) {
    const from = step.dependsOn.length ? ` ← ${step.dependsOn.join(", ")}` : "";
    const io = [
      step.inputs.length ? `in: ${step.inputs.map((i) => i.name).join(", ")}` : "",
      step.outputs.length ? `out: ${step.outputs.join(", ")}` : "",
    ]
      .filter(Boolean)
      .join("; ");
    console.log(`  ${step.name}${from}${io ? `  (${io})` : ""}`);
  }
  if (values.out) console.log(`Spec written to ${values.out}`);
}

/** `kiln run NOTEBOOK [--param k=v ...] [--force] [--parallelism N]` */
export async function runCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      param: { type: "string", multiple: true, default: [] },
      force: { type: "boolean", default: false },
      parallelism: { type: "string" },
    },
  });
  const notebook = resolve(
    onePositional(positionals, "kiln run NOTEBOOK [--param k=v ...] [--force]"),
  );
  const pipeline = await compileNotebookFile(notebook, { stateDir: kilnPaths.state });
  const params = parseParams(values.param, pipeline.spec.params);
  const progress = new RunProgress(process.stdout);
  const record = await runPipeline(pipeline, {
    stateDir: kilnPaths.state,
    notebookDir: dirname(notebook),
    params,
    force: values.force,
    ...(values.parallelism
      ? { parallelism: positiveInt(values.parallelism, "--parallelism") }
      : {}),
    ...(process.env.MLFLOW_TRACKING_URI ? { trackingUri: process.env.MLFLOW_TRACKING_URI } : {}),
    onEvent: (event) => progress.update(event),
  });
  for (const [step, state] of Object.entries(record.steps)) {
    if (state.status === "failed")
      console.error(`\n${step} failed:\n${state.error ?? "(no error message)"}`);
  }
  process.exitCode = record.status === "succeeded" ? 0 : 1;
}

/** `kiln pipelines`: names and versions compiled on this machine. */
export async function pipelinesCommand(): Promise<void> {
  const pipelines = await listPipelines(kilnPaths.state);
  if (pipelines.length === 0) {
    console.log("No pipelines yet: compile or run a notebook with `kiln compile NOTEBOOK`.");
    return;
  }
  for (const pipeline of pipelines) {
    console.log(pipeline.name);
    for (const v of pipeline.versions) {
      console.log(
        `  ${v.version.padEnd(5)} ${v.hash.slice(0, 12)}  ${new Date(v.createdAt).toISOString()}  ${v.notebookPath ?? ""}`,
      );
    }
  }
}

/** `kiln runs PIPELINE`: runs of one pipeline, newest first. */
export async function runsCommand(args: string[]): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true });
  const pipeline = onePositional(positionals, "kiln runs PIPELINE");
  const runs = (await listRuns(kilnPaths.state, pipeline)).sort(
    (a, b) => b.startTime - a.startTime,
  );
  if (runs.length === 0) {
    console.log(`No runs of "${pipeline}" yet: start one with \`kiln run NOTEBOOK\`.`);
    return;
  }
  for (const run of runs) {
    const counts = Object.values(run.steps).reduce<Record<string, number>>(
      (acc, s) => ({ ...acc, [s.status]: (acc[s.status] ?? 0) + 1 }),
      {},
    );
    const summary = Object.entries(counts)
      .map(([status, n]) => `${n} ${status}`)
      .join(", ");
    const took = run.endTime ? `${((run.endTime - run.startTime) / 1000).toFixed(1)} s` : "running";
    console.log(
      `${run.runId}  ${run.version.padEnd(5)} ${run.status.padEnd(9)} ${new Date(run.startTime).toISOString()}  ${took.padStart(8)}  ${summary}`,
    );
  }
}

/** `kiln export kfp NOTEBOOK --image IMAGE --out pipeline.yaml` */
export async function exportCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { image: { type: "string" }, out: { type: "string" } },
  });
  const usage = "kiln export kfp NOTEBOOK --image IMAGE --out pipeline.yaml";
  const [target, notebook, ...rest] = positionals;
  if (target !== "kfp" || !notebook || rest.length > 0) throw new UsageError(`Expected: ${usage}`);
  if (!values.image)
    throw new UsageError(
      `--image is required: the container image with Kiln installed.\n  ${usage}`,
    );
  if (!values.out)
    throw new UsageError(`--out is required: where to write the pipeline YAML.\n  ${usage}`);
  const { spec, version } = await compileNotebookFile(resolve(notebook), {
    stateDir: kilnPaths.state,
  });
  const yaml = exportKubeflowPipeline(spec, { image: values.image, version });
  mkdirSync(dirname(resolve(values.out)), { recursive: true });
  writeFileSync(values.out, yaml);
  console.log(`Kubeflow pipeline for ${spec.name} ${version} written to ${values.out}`);
}

function onePositional(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new UsageError(`Expected: ${usage}`);
  return positionals[0]!;
}

/**
 * `--param lr=0.01 --param name=drill`, read by each param's declared type, so that a string
 * param "007" stays a string.
 */
export function parseParams(
  pairs: string[],
  declared: readonly ParamSpec[],
): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0)
      throw new UsageError(`--param "${pair}" is not key=value: write e.g. --param lr=0.01`);
    const [name, raw] = [pair.slice(0, eq), pair.slice(eq + 1)];
    const spec = declared.find((p) => p.name === name);
    if (!spec) {
      const known = declared.map((p) => p.name).join(", ") || "none";
      throw new UsageError(
        `--param ${name}: the pipeline has no param "${name}" (params: ${known}).`,
      );
    }
    params[name] = readParam(spec, raw);
  }
  return params;
}

function readParam(spec: ParamSpec, raw: string): unknown {
  const bad = (expected: string) =>
    new UsageError(
      `--param ${spec.name}=${raw}: expected ${expected} (the default is ${JSON.stringify(spec.default)}).`,
    );
  switch (spec.type) {
    case "string":
      return raw;
    case "number": {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n)) throw bad("a number");
      return n;
    }
    case "boolean":
      if (raw !== "true" && raw !== "false") throw bad("true or false");
      return raw === "true";
    case "json":
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        throw bad("JSON");
      }
  }
}

function positiveInt(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive integer, got "${raw}".`);
  return n;
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
