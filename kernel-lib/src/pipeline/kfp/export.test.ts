import { execFile } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { diamondSpec, linearSpec } from "../../../../test/pipeline/kfp-specs";
import type { JsonValue, PipelineSpec } from "../../spec";
import {
  buildKubeflowPipeline,
  exportKubeflowPipeline,
  KfpExportError,
  kfpTaskNames,
  sanitizeKfpName,
  type KfpPipelineSpec,
} from "./index";

const image = "ghcr.io/acme/kiln-steps:1.2";

/** The spec a task's command carries: the base64 chunks after `sh -c SCRIPT $0`. */
function embeddedSpec(ir: KfpPipelineSpec, executor: string): unknown {
  const command = ir.deploymentSpec.executors[executor]?.container.command ?? [];
  return JSON.parse(Buffer.from(command.slice(4).join(""), "base64").toString("utf8"));
}

describe("sanitizeKfpName", () => {
  const cases: Array<[string, string]> = [
    ["train", "train"],
    ["Train Model!", "train-model"],
    ["load_data", "load-data"],
    ["--a  b--", "a-b"],
    ["step 2: évaluer", "step-2-valuer"],
    ["!!!", ""],
  ];
  for (const [name, expected] of cases) {
    it(`${JSON.stringify(name)} → ${JSON.stringify(expected)}`, () => {
      expect(sanitizeKfpName(name)).toBe(expected);
    });
  }
});

describe("kfpTaskNames", () => {
  it("keeps names unique in step order and names unusable ones 'step'", () => {
    const names = kfpTaskNames(["Train Model!", "train_model", "train-model-2", "!!!", "???"]);
    expect([...names.entries()]).toEqual([
      ["Train Model!", "train-model"],
      ["train_model", "train-model-2"],
      ["train-model-2", "train-model-2-2"],
      ["!!!", "step"],
      ["???", "step-2"],
    ]);
  });
});

describe("buildKubeflowPipeline: diamond", () => {
  const spec = diamondSpec();
  const ir = buildKubeflowPipeline(spec, { image, version: "0.3.0" });

  it("names every task, component and executor from the sanitized step name", () => {
    expect(Object.keys(ir.root.dag.tasks)).toEqual(["prepare", "a", "b", "train-model"]);
    expect(Object.keys(ir.components)).toEqual([
      "comp-prepare",
      "comp-a",
      "comp-b",
      "comp-train-model",
    ]);
    expect(ir.components["comp-train-model"]?.executorLabel).toBe("exec-train-model");
    expect(ir.root.dag.tasks["train-model"]?.taskInfo.name).toBe("Train Model!");
    // The runner looks the step up by its real name, not the KFP one.
    const args = ir.deploymentSpec.executors["exec-train-model"]?.container.args ?? [];
    expect(args[args.indexOf("--step") + 1]).toBe("Train Model!");
  });

  it("wires each input to its producer's output artifact", () => {
    expect(ir.root.dag.tasks["train-model"]?.inputs?.artifacts).toEqual({
      featuresA: { taskOutputArtifact: { producerTask: "a", outputArtifactKey: "featuresA" } },
      featuresB: { taskOutputArtifact: { producerTask: "b", outputArtifactKey: "featuresB" } },
    });
    expect(ir.root.dag.tasks["train-model"]?.dependentTasks).toEqual(["a", "b"]);
    expect(ir.root.dag.tasks["prepare"]?.dependentTasks).toBeUndefined();
    expect(ir.components["comp-prepare"]?.outputDefinitions?.artifacts).toEqual({
      rows: { artifactType: { schemaTitle: "system.Artifact", schemaVersion: "0.0.1" } },
    });
  });

  it("declares the pipeline params with KFP types and defaults, and passes them to the steps", () => {
    expect(ir.root.inputDefinitions?.parameters).toEqual({
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
    expect(ir.root.dag.tasks["b"]?.inputs?.parameters).toEqual({
      flags: { componentInputParameter: "flags" },
      seeds: { componentInputParameter: "seeds" },
    });
    expect(ir.components["comp-b"]?.inputDefinitions?.parameters).toEqual({
      flags: { parameterType: "STRUCT" },
      seeds: { parameterType: "LIST" },
    });
  });

  it("runs every step in the image and records Kiln as the SDK", () => {
    for (const executor of Object.values(ir.deploymentSpec.executors)) {
      expect(executor.container.image).toBe(image);
    }
    expect(ir).toMatchObject({
      pipelineInfo: { name: "churn-diamond", displayName: "Churn Diamond" },
      schemaVersion: "2.1.0",
      sdkVersion: "kiln-0.3.0",
    });
  });

  it("embeds the whole spec, unchanged, in every task", () => {
    for (const executor of Object.keys(ir.deploymentSpec.executors)) {
      expect(embeddedSpec(ir, executor)).toEqual(spec);
    }
  });
});

describe("buildKubeflowPipeline: linear with an order edge", () => {
  const ir = buildKubeflowPipeline(linearSpec(), { image });

  it("turns the order edge into a dependency without artifacts", () => {
    expect(ir.root.dag.tasks["publish"]).toEqual({
      cachingOptions: {},
      componentRef: { name: "comp-publish" },
      dependentTasks: ["clean"],
      taskInfo: { name: "publish" },
    });
    expect(ir.components["comp-publish"]).toEqual({ executorLabel: "exec-publish" });
  });

  it("leaves out parameters when the pipeline has none", () => {
    expect(ir.root.inputDefinitions).toBeUndefined();
    expect(ir.sdkVersion).toBe("kiln");
  });
});

describe("exportKubeflowPipeline", () => {
  it("writes YAML that reads back as the IR, the same way every time", () => {
    const yaml = exportKubeflowPipeline(diamondSpec(), { image });
    expect(yaml.startsWith("# PIPELINE DEFINITION\n# Name: churn-diamond\n")).toBe(true);
    expect(parse(yaml)).toEqual(buildKubeflowPipeline(diamondSpec(), { image }));
    expect(exportKubeflowPipeline(diamondSpec(), { image })).toBe(yaml);
    expect(yaml).not.toMatch(/[&*]a\d/); // no YAML anchors or aliases
  });

  it("splits a large spec over several arguments, each under Linux's 128 KiB limit", () => {
    const spec = linearSpec();
    spec.steps[0]!.code = `const blob = "${"x".repeat(300_000)}";\n`;
    const ir = buildKubeflowPipeline(spec, { image });
    const command = ir.deploymentSpec.executors["exec-load"]?.container.command ?? [];
    expect(command.length).toBeGreaterThan(5);
    for (const arg of command) expect(Buffer.byteLength(arg)).toBeLessThan(128 * 1024);
    expect(embeddedSpec(ir, "exec-load")).toEqual(spec);
  });
});

describe("errors", () => {
  const withSpec = (edit: (spec: PipelineSpec) => void): PipelineSpec => {
    const spec = diamondSpec();
    edit(spec);
    return spec;
  };
  const cases: Array<[string, PipelineSpec, { image: string; kilnPath?: string }, RegExp]> = [
    ["no steps", withSpec((s) => (s.steps = [])), { image }, /has no steps/],
    ["an empty image", diamondSpec(), { image: " " }, /container image/],
    ["a relative kilnPath", diamondSpec(), { image, kilnPath: "opt/kiln" }, /absolute path/],
    [
      "a json param with a scalar default",
      withSpec((s) => (s.params[2]!.default = 3)),
      { image },
      /Param "flags" is json with default 3/,
    ],
    [
      "an input from a step that does not output it",
      withSpec((s) => (s.steps[1]!.inputs = [{ name: "nope", from: "prepare" }])),
      { image },
      /reads "nope" from step "prepare", which does not output it/,
    ],
    [
      "an undeclared param",
      withSpec((s) => s.steps[0]!.params.push("epochs")),
      { image },
      /reads param "epochs", which the pipeline does not declare/,
    ],
    [
      "a param and an input with one name",
      withSpec((s) => s.steps[1]!.params.push("rows")),
      { image },
      /both as a pipeline param and as a value/,
    ],
    [
      "a spec too large to embed",
      withSpec((s) => (s.shared.code = "x".repeat(1_000_000))),
      { image },
      /too large to embed/,
    ],
  ];
  for (const [what, spec, options, message] of cases) {
    it(`rejects ${what}`, () => {
      expect(() => exportKubeflowPipeline(spec, options)).toThrow(message);
    });
  }

  it("throws KfpExportError for spec problems and TypeError for bad options", () => {
    expect(() =>
      exportKubeflowPipeline(
        withSpec((s) => (s.steps = [])),
        { image },
      ),
    ).toThrow(KfpExportError);
    expect(() => exportKubeflowPipeline(diamondSpec(), { image: "" })).toThrow(TypeError);
  });
});

// Runs a task's real command the way the KFP launcher would, with a stub runner in place of Kiln's,
// to prove the bootstrap rebuilds the spec and params and hands the runner the right flags.
describe("the task command in a shell", () => {
  let kilnPath: string;
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "kiln-kfp-"));
    kilnPath = join(work, "kiln it's here"); // a quote and spaces, to exercise the shell quoting
    const runnerDir = join(kilnPath, "kernel-lib/dist/pipeline/executor");
    await mkdir(runnerDir, { recursive: true });
    await writeFile(
      join(runnerDir, "run-step-cli.js"),
      `const fs = require("fs");
       const argv = process.argv.slice(2);
       const at = (flag) => argv[argv.indexOf(flag) + 1];
       process.stdout.write(JSON.stringify({
         argv,
         spec: JSON.parse(fs.readFileSync(at("--spec"), "utf8")),
         params: JSON.parse(fs.readFileSync(at("--params"), "utf8")),
       }));`,
    );
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /** The bootstrap writes under $TMPDIR/kiln: keep it inside this test's folder. */
  const hostEnv = (): NodeJS.ProcessEnv => ({ ...process.env, TMPDIR: work });

  /** What the KFP launcher substitutes: strings raw, everything else as JSON. */
  function substitute(arg: string, params: Record<string, JsonValue>): string {
    return arg
      .replace(/\{\{\$\.inputs\.parameters\['([^']+)'\]\}\}/g, (_, name: string) => {
        const value = params[name];
        return typeof value === "string" ? value : JSON.stringify(value);
      })
      .replace(/\{\{\$\.(inputs|outputs)\.artifacts\['([^']+)'\]\.path\}\}/g, "/gcs/run/$1/$2");
  }

  it("writes the spec and typed params, then execs the runner with the step's flags", async () => {
    const spec = diamondSpec();
    const ir = buildKubeflowPipeline(spec, { image, kilnPath: `${kilnPath}/` });
    const container = ir.deploymentSpec.executors["exec-train-model"]!.container;
    const values = {
      lr: 0.5,
      name: 'it\'s a "test"\nline two $HOME',
      flags: { a: [1] },
      dryRun: true,
    };
    const [program, ...rest] = [...container.command, ...container.args].map((arg) =>
      substitute(arg, values),
    );
    const { stdout } = await promisify(execFile)(program!, rest, { env: hostEnv() });
    const seen = JSON.parse(stdout) as { argv: string[]; spec: unknown; params: unknown };

    expect(seen.spec).toEqual(spec);
    expect(seen.params).toEqual(values);
    expect(seen.argv).toEqual([
      "--spec",
      join(work, "kiln/spec.json"),
      "--params",
      join(work, "kiln/params.json"),
      "--step",
      "Train Model!",
      "--input",
      "featuresA=/gcs/run/inputs/featuresA",
      "--input",
      "featuresB=/gcs/run/inputs/featuresB",
      "--output",
      "model=/gcs/run/outputs/model",
    ]);
  });

  it("fails with a clear message when a param does not arrive as JSON", async () => {
    const ir = buildKubeflowPipeline(diamondSpec(), { image, kilnPath });
    const container = ir.deploymentSpec.executors["exec-a"]!.container;
    const [program, ...rest] = [...container.command, ...container.args].map((arg) =>
      substitute(arg, { lr: "not a number" }),
    );
    await expect(promisify(execFile)(program!, rest, { env: hostEnv() })).rejects.toThrow(
      /Kiln: param lr should be number as JSON, got: not a number/,
    );
  });
});
