// The Kubeflow export, read back by the Kubeflow Pipelines SDK itself (kfp in .venv): what KFP
// loads and recompiles is what a KFP backend will run.

import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportKubeflowPipeline } from "../../kernel-lib/src/pipeline/kfp";
import type { PipelineSpec } from "../../kernel-lib/src/spec";
import { diamondSpec, linearSpec } from "./kfp-specs";

const root = join(__dirname, "..", "..");
const image = "ghcr.io/acme/kiln-steps:1.2";

type TaskSummary = {
  displayName: string;
  component: string;
  dependentTasks: string[];
  cache: boolean;
  artifacts: Record<string, { producerTask: string; outputArtifactKey: string }>;
  parameters: Record<string, string>;
  outputs: string[];
  image: string;
  command: string[];
  args: string[];
};
type PipelineSummary = {
  name: string;
  schemaVersion: string;
  sdkVersion: string;
  params: Record<string, { parameterType: string; defaultValue: unknown; isOptional: boolean }>;
  tasks: Record<string, TaskSummary>;
};
type KfpReading = {
  loadedName: string;
  /** The pipeline's inputs with KFP's Python-side types (Float, String, Dict…) and defaults. */
  loadedInputs: Record<string, { type: string; default: unknown }>;
  /** Dangling references between tasks, artifacts, params and executors; empty when sound. */
  problems: string[];
  exported: PipelineSummary;
  /** The raw DAG tasks as exported, and as KFP's compiler wrote them when nesting the pipeline. */
  exportedTasks: unknown;
  nestedTasks: unknown;
  nestedSdkVersion: string;
};

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "kiln-kfp-sdk-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Exports the spec, then loads it with the KFP SDK and compiles it into another pipeline. */
async function readWithKfp(spec: PipelineSpec): Promise<KfpReading> {
  const dir = await mkdtemp(join(work, "pipeline-"));
  const path = join(dir, "pipeline.yaml");
  await writeFile(path, exportKubeflowPipeline(spec, { image, version: "0.1.0" }));
  const { stdout } = await promisify(execFile)(join(root, ".venv", "bin", "python"), [
    join(__dirname, "read_kfp_pipeline.py"),
    path,
    dir,
  ]);
  return JSON.parse(stdout) as KfpReading;
}

/** The embedded spec of a task, decoded from the base64 chunks after `sh -c SCRIPT $0`. */
function decodeSpec(task: TaskSummary): unknown {
  return JSON.parse(Buffer.from(task.command.slice(4).join(""), "base64").toString("utf8"));
}

describe("Kubeflow export read by the KFP SDK", () => {
  it("loads the diamond with its params, wiring and images, and compiles it as a sub-pipeline", async () => {
    const spec = diamondSpec();
    const kfp = await readWithKfp(spec);

    expect(kfp.loadedName).toBe("churn-diamond");
    expect(kfp.loadedInputs).toEqual({
      lr: { type: "Float", default: 0.01 },
      name: { type: "String", default: 'it\'s "quoted"' },
      flags: { type: "Dict", default: { verbose: true, layers: [64, 32] } },
      seeds: { type: "List", default: [1, 2, 3] },
      dryRun: { type: "Boolean", default: false },
    });
    expect(kfp.problems).toEqual([]);
    const { exported } = kfp;
    expect(exported.sdkVersion).toBe("kiln-0.1.0");
    expect(exported.schemaVersion).toBe("2.1.0");
    expect(exported.params).toEqual({
      lr: { parameterType: "NUMBER_DOUBLE", defaultValue: 0.01, isOptional: true },
      name: { parameterType: "STRING", defaultValue: 'it\'s "quoted"', isOptional: true },
      flags: {
        parameterType: "STRUCT",
        defaultValue: { verbose: true, layers: [64, 32] },
        isOptional: true,
      },
      seeds: { parameterType: "LIST", defaultValue: [1, 2, 3], isOptional: true },
      dryRun: { parameterType: "BOOLEAN", defaultValue: false, isOptional: true },
    });

    const tasks = exported.tasks;
    expect(Object.keys(tasks).sort()).toEqual(["a", "b", "prepare", "train-model"]);
    expect(tasks["train-model"]).toMatchObject({
      displayName: "Train Model!",
      component: "comp-train-model",
      dependentTasks: ["a", "b"],
      artifacts: {
        featuresA: { producerTask: "a", outputArtifactKey: "featuresA" },
        featuresB: { producerTask: "b", outputArtifactKey: "featuresB" },
      },
      parameters: { lr: "lr", name: "name", flags: "flags", dryRun: "dryRun" },
      outputs: ["model"],
    });
    expect(tasks["a"]).toMatchObject({
      dependentTasks: ["prepare"],
      artifacts: { rows: { producerTask: "prepare", outputArtifactKey: "rows" } },
      parameters: { lr: "lr" },
      outputs: ["featuresA"],
    });
    for (const task of Object.values(tasks)) {
      expect(task.image).toBe(image);
      expect(task.cache).toBe(true);
      expect(decodeSpec(task)).toEqual(spec);
    }

    // KFP's own compiler keeps the DAG exactly as Kiln wrote it.
    expect(kfp.nestedSdkVersion).toMatch(/^kfp-2\./);
    expect(kfp.nestedTasks).toEqual(kfp.exportedTasks);
  });

  it("keeps an order-only edge as a dependency without artifacts, and cache off", async () => {
    const kfp = await readWithKfp(linearSpec());

    expect(kfp.loadedInputs).toEqual({});
    expect(kfp.problems).toEqual([]);
    expect(kfp.exported.params).toEqual({});
    expect(kfp.exported.tasks["clean"]).toMatchObject({
      dependentTasks: ["load"],
      artifacts: { raw: { producerTask: "load", outputArtifactKey: "raw" } },
      cache: true,
    });
    expect(kfp.exported.tasks["publish"]).toMatchObject({
      dependentTasks: ["clean"],
      artifacts: {},
      parameters: {},
      outputs: [],
      cache: false,
    });
    expect(kfp.nestedTasks).toEqual(kfp.exportedTasks);
  });
});
