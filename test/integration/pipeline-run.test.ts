// A diamond pipeline (prepare → features-a, features-b → train, where train fits a tfjs-node
// model and logs metrics and the model) compiled from a notebook and run by the local executor:
// step processes, the content-addressed cache, skipping after a failure, resuming after a fix,
// and the parent and nested runs it leaves in the real MLflow server.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileNotebookFile } from "../../kernel-lib/src/pipeline/compiler";
import {
  listRuns,
  PipelineParamsError,
  runPipeline,
  type RunPipelineOptions,
} from "../../kernel-lib/src/pipeline/executor";
import type {
  PipelineEvent,
  PipelineRunRecord,
  VersionedPipeline,
} from "../../kernel-lib/src/spec";
import { realMlflowClient, realMlflowUri } from "../support/real-mlflow";

const root = join(__dirname, "..", "..");
const fixture = join(root, "test", "fixtures", "pipelines", "diamond-train.ipynb");
const mlflow = realMlflowClient();
let work: string;
let notebook: string;
let stateDir: string;

beforeAll(async () => {
  // Step processes run plain Node on kernel-lib's dist/: make sure it is current.
  await promisify(execFile)(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "-b", "kernel-lib"],
    {
      cwd: root,
    },
  );
  work = await mkdtemp(join(tmpdir(), "kiln-pipeline-run-"));
  notebook = join(work, "diamond-train.ipynb");
  stateDir = join(work, ".kiln");
  await cp(fixture, notebook);
}, 180_000);
afterAll(() => rm(work, { recursive: true, force: true }));

type NotebookJson = { cells: { source: string[] | string; metadata: Record<string, unknown> }[] };

/** Replaces the code of the cell annotated `// @kiln step=<step>` and recompiles. */
async function editStep(step: string, code: string): Promise<VersionedPipeline> {
  const nb = JSON.parse(await readFile(notebook, "utf8")) as NotebookJson;
  const cell = nb.cells.find((c) =>
    [c.source].flat().join("").startsWith(`// @kiln step=${step}\n`),
  );
  if (!cell) throw new Error(`no cell for step ${step}`);
  cell.source = `// @kiln step=${step}\n${code}\n`;
  await writeFile(notebook, JSON.stringify(nb, null, 1));
  return compile();
}

function compile(): Promise<VersionedPipeline> {
  return compileNotebookFile(notebook, { stateDir, lockfileHash: "pipeline-run-test" });
}

async function run(
  pipeline: VersionedPipeline,
  options: Partial<RunPipelineOptions> = {},
): Promise<{ record: PipelineRunRecord; events: PipelineEvent[] }> {
  const events: PipelineEvent[] = [];
  const record = await runPipeline(pipeline, {
    stateDir,
    trackingUri: realMlflowUri(),
    parallelism: 2,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { record, events };
}

const statuses = (record: PipelineRunRecord) =>
  Object.fromEntries(Object.entries(record.steps).map(([name, step]) => [name, step.status]));

const ran = (events: PipelineEvent[]) =>
  events.flatMap((e) => (e.type === "step-status" && e.status === "running" ? [e.step] : []));

async function nestedRuns(parentRunId: string) {
  const parent = await mlflow.getRun(parentRunId);
  const page = await mlflow.searchRuns({
    experimentIds: [parent.info.experimentId],
    filter: `tags.mlflow.parentRunId = '${parentRunId}'`,
  });
  return new Map(page.items.map((r) => [r.data.tags["kiln.step"] ?? "?", r]));
}

async function artifactPaths(runId: string, dir?: string): Promise<string[]> {
  const entries = await mlflow.listArtifacts(runId, dir);
  const nested = await Promise.all(
    entries.map((e) => (e.isDir ? artifactPaths(runId, e.path) : Promise.resolve([e.path]))),
  );
  return nested.flat().sort();
}

describe("runPipeline on a diamond notebook", () => {
  let first: PipelineRunRecord;

  it("runs every step in its own process and tracks the run in MLflow", async () => {
    const pipeline = await compile();
    const { record, events } = await run(pipeline);
    first = record;

    expect(record.status).toBe("succeeded");
    expect(statuses(record)).toEqual({
      prepare: "succeeded",
      "features-a": "succeeded",
      "features-b": "succeeded",
      train: "succeeded",
    });
    expect(record.params).toEqual({ epochs: 40, learningRate: 0.1 });
    const logs = events.flatMap((e) => (e.type === "step-log" ? [`${e.step}: ${e.line}`] : []));
    expect(logs).toContain("prepare: prepared 32 rows");
    expect(
      logs.some((line) => /^train: trained for 40 epochs, model at mlflow-artifacts:/.test(line)),
    ).toBe(true);
    // train starts only after both branches.
    const order = events.flatMap((e) =>
      e.type === "step-status" ? [`${e.step}:${e.status}`] : [],
    );
    expect(order.indexOf("train:running")).toBeGreaterThan(order.indexOf("features-a:succeeded"));
    expect(order.indexOf("train:running")).toBeGreaterThan(order.indexOf("features-b:succeeded"));

    // The parent run: experiment = pipeline name, params, tags, spec and notebook.
    const parent = await mlflow.getRun(record.mlflowRunId!);
    expect(parent.info.status).toBe("FINISHED");
    expect(parent.data.params).toEqual({ epochs: "40", learningRate: "0.1" });
    expect(parent.data.tags).toMatchObject({
      "kiln.pipeline": "diamond-train",
      "kiln.pipeline.version": pipeline.version,
      "kiln.pipeline.hash": pipeline.spec.hash,
    });
    expect((await mlflow.getExperiment(parent.info.experimentId)).name).toBe("diamond-train");
    // What a link to the run's page in MLflow's UI needs, in the record and the first event.
    expect(record.experimentId).toBe(parent.info.experimentId);
    expect(events[0]).toMatchObject({
      type: "run-started",
      mlflowRunId: parent.info.runId,
      experimentId: parent.info.experimentId,
    });
    expect(await artifactPaths(parent.info.runId)).toEqual([
      "pipeline/diamond-train.ipynb",
      "pipeline/spec.json",
    ]);

    // One nested run per step with its hash, duration and log; train's metrics and model.
    const steps = await nestedRuns(record.mlflowRunId!);
    expect([...steps.keys()].sort()).toEqual(["features-a", "features-b", "prepare", "train"]);
    for (const spec of pipeline.spec.steps) {
      const step = steps.get(spec.name)!;
      expect(step.info.status).toBe("FINISHED");
      expect(step.info.runId).toBe(record.steps[spec.name]?.mlflowRunId);
      expect(step.data.tags).toMatchObject({
        "kiln.step": spec.name,
        "kiln.step.hash": spec.hash,
      });
      expect(step.data.metrics["duration_seconds"]).toBeGreaterThan(0);
      expect(await artifactPaths(step.info.runId, "logs")).toEqual([`logs/${spec.name}.log`]);
    }
    const train = steps.get("train")!;
    expect(train.data.params).toEqual({ optimizer: "adam" });
    const losses = await mlflow.getMetricHistory(train.info.runId, "loss");
    expect(losses.map((m) => m.step).sort((a, b) => a - b)).toEqual([...Array(40).keys()]);
    expect(train.data.metrics["final_loss"]).toBe(losses.find((m) => m.step === 39)?.value);
    expect(await artifactPaths(train.info.runId, "models")).toEqual([
      "models/regressor/model.json",
      "models/regressor/weights.bin",
    ]);
  });

  it("runs nothing the second time: every step is cached and no step process starts", async () => {
    const { record, events } = await run(await compile());
    expect(record.status).toBe("succeeded");
    expect(Object.values(statuses(record))).toEqual(["cached", "cached", "cached", "cached"]);
    expect(ran(events)).toEqual([]);
    expect(existsSync(join(stateDir, "runs", record.runId, "steps"))).toBe(false);

    // Nothing ran, so no nested runs: the parent names each cached step and links it to the
    // nested run of the first pipeline run that computed its outputs.
    expect((await nestedRuns(record.mlflowRunId!)).size).toBe(0);
    const parent = await mlflow.getRun(record.mlflowRunId!);
    expect(parent.info.status).toBe("FINISHED");
    for (const [step, state] of Object.entries(first.steps)) {
      expect(parent.data.tags[`kiln.step.${step}.cached`]).toBe("true");
      expect(parent.data.tags[`kiln.step.${step}.source_run`]).toBe(state.mlflowRunId);
      expect(record.steps[step]!.mlflowRunId).toBe(state.mlflowRunId);
    }
  });

  it("re-runs only the steps that read an overridden param", async () => {
    const { record, events } = await run(await compile(), { params: { epochs: 3 } });
    expect(statuses(record)).toMatchObject({ prepare: "cached", train: "succeeded" });
    expect(ran(events)).toEqual(["train"]);
    const train = (await nestedRuns(record.mlflowRunId!)).get("train")!;
    expect((await mlflow.getMetricHistory(train.info.runId, "loss")).length).toBe(3);
  });

  it("rejects unknown params and wrong types before anything runs", async () => {
    const before = (await listRuns(stateDir)).length;
    const pipeline = await compile();
    await expect(run(pipeline, { params: { epocs: 3 } })).rejects.toThrow(
      /unknown param "epocs" \(declared: "epochs", "learningRate"\)/,
    );
    await expect(run(pipeline, { params: { epochs: "3" } })).rejects.toThrow(PipelineParamsError);
    expect((await listRuns(stateDir)).length).toBe(before);
  });

  it("re-runs an edited step and its downstream steps only", async () => {
    const pipeline = await editStep(
      "features-b",
      "const squared = tf.tensor2d(xs.map((x) => [x ** 2]));",
    );
    const { record, events } = await run(pipeline);
    expect(record.status).toBe("succeeded");
    expect(statuses(record)).toEqual({
      prepare: "cached",
      "features-a": "cached",
      "features-b": "succeeded",
      train: "succeeded",
    });
    expect(ran(events).sort()).toEqual(["features-b", "train"]);
  });

  it("skips downstream of a failing step, keeps its log and error, and resumes after a fix", async () => {
    const broken = await editStep(
      "features-b",
      'console.log("computing squares");\nthrow new Error("sensor data missing");\nconst squared = tf.tensor2d(xs.map((x) => [x * x]));',
    );
    const failed = await run(broken);
    expect(failed.record.status).toBe("failed");
    expect(statuses(failed.record)).toEqual({
      prepare: "cached",
      "features-a": "cached",
      "features-b": "failed",
      train: "skipped",
    });
    expect(failed.record.steps["features-b"]?.error).toMatch(/^Error: sensor data missing/);
    expect(failed.record.steps["train"]?.error).toBe('upstream step "features-b" failed');
    const log = await readFile(
      join(stateDir, "runs", failed.record.runId, "logs", "features-b.log"),
      "utf8",
    );
    expect(log).toContain("computing squares");
    expect(log).toContain("Error: sensor data missing");
    expect(failed.events).toContainEqual(
      expect.objectContaining({ type: "step-log", step: "features-b", stream: "stderr" }),
    );
    const failedRuns = await nestedRuns(failed.record.mlflowRunId!);
    expect((await mlflow.getRun(failed.record.mlflowRunId!)).info.status).toBe("FAILED");
    expect(failedRuns.get("features-b")?.info.status).toBe("FAILED");
    expect(await artifactPaths(failedRuns.get("features-b")!.info.runId, "logs")).toEqual([
      "logs/features-b.log",
    ]);
    expect(failedRuns.get("train")?.info.status).toBe("KILLED");

    const fixed = await editStep(
      "features-b",
      "const squared = tf.tensor2d(xs.map((x) => [x * x * 1]));",
    );
    const resumed = await run(fixed);
    expect(resumed.record.status).toBe("succeeded");
    expect(statuses(resumed.record)).toEqual({
      prepare: "cached",
      "features-a": "cached",
      "features-b": "succeeded",
      train: "succeeded",
    });
  });

  it("lists the runs newest first, with their records on disk", async () => {
    const runs = await listRuns(stateDir, "diamond-train");
    expect(runs).toHaveLength(6);
    expect(runs.at(-1)?.runId).toBe(first.runId);
    expect(runs.map((r) => r.status)).toEqual([
      "succeeded",
      "failed",
      "succeeded",
      "succeeded",
      "succeeded",
      "succeeded",
    ]);
    expect(await listRuns(stateDir, "other")).toEqual([]);
    expect((await readdir(join(stateDir, "runs"))).filter((f) => f.endsWith(".json"))).toHaveLength(
      6,
    );
  });
});
