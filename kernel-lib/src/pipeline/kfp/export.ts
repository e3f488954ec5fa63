// Kubeflow Pipelines export: one container task per Kiln step, values passed as KFP artifacts,
// pipeline params as KFP pipeline parameters. The output is the same YAML IR that
// `kfp.compiler.Compiler().compile()` writes, so it uploads to any KFP v2 backend unchanged.

import { stringify } from "yaml";
import type { ParamSpec, PipelineSpec, StepSpec } from "../../spec";
import { KfpExportError } from "./errors";
import { kfpTaskNames, sanitizeKfpName } from "./names";
import type {
  KfpArtifactType,
  KfpComponentSpec,
  KfpInterface,
  KfpParameterType,
  KfpPipelineSpec,
  KfpRootParameter,
  KfpTaskSpec,
} from "./pipeline-ir";
import { stepContainer } from "./step-command";

export type KubeflowExportOptions = {
  /** Image every step runs in; it must hold Node and a built Kiln at `kilnPath`. */
  image: string;
  /** Kiln's version, recorded as `sdkVersion: kiln-<version>`. */
  version?: string;
  /** Absolute path of the Kiln install inside the image. */
  kilnPath?: string;
};

const DEFAULT_OPTIONS = { kilnPath: "/opt/kiln" } satisfies Partial<KubeflowExportOptions>;

// KFP's own rule for pipeline names (kfp.dsl.utils.validate_pipeline_name).
const MAX_PIPELINE_NAME = 128;

/**
 * Builds the KFP v2 pipeline IR for a compiled notebook, as an object; {@link exportKubeflowPipeline}
 * writes it as YAML. Each step becomes a task `<name>` running component `comp-<name>` on executor
 * `exec-<name>`, where `<name>` is the step name made KFP-safe (see {@link kfpTaskNames}).
 *
 * @throws {TypeError} when `image` is empty or `kilnPath` is not absolute.
 * @throws {KfpExportError} when the spec has no steps or cannot be expressed in KFP.
 *
 * @example
 * ```ts
 * const ir = buildKubeflowPipeline(spec, { image: "ghcr.io/acme/kiln-steps:1.2" });
 * Object.keys(ir.root.dag.tasks); // ["prepare", "train-model"]
 * ```
 */
export function buildKubeflowPipeline(
  spec: PipelineSpec,
  options: KubeflowExportOptions,
): KfpPipelineSpec {
  const opts = { ...DEFAULT_OPTIONS, ...options } satisfies KubeflowExportOptions;
  const image = opts.image.trim();
  if (image === "") {
    throw new TypeError(
      "Kubeflow export needs the container image the steps run in (e.g. --image ghcr.io/acme/kiln-steps:1.2); got an empty string.",
    );
  }
  if (!opts.kilnPath.startsWith("/")) {
    throw new TypeError(
      `kilnPath must be the absolute path of Kiln inside the image (e.g. /opt/kiln); got "${opts.kilnPath}".`,
    );
  }
  if (spec.steps.length === 0) {
    throw new KfpExportError(
      `Pipeline "${spec.name}" has no steps, so there is nothing to run on Kubeflow. ` +
        `Mark at least one notebook cell as a step, then export again.`,
    );
  }
  checkReferences(spec);

  const taskNames = kfpTaskNames(spec.steps.map((step) => step.name));
  const taskOf = (stepName: string): string => taskNames.get(stepName) ?? stepName;
  const paramTypes = new Map(spec.params.map((param) => [param.name, kfpParameterType(param)]));

  const components: KfpPipelineSpec["components"] = {};
  const executors: KfpPipelineSpec["deploymentSpec"]["executors"] = {};
  const tasks: KfpPipelineSpec["root"]["dag"]["tasks"] = {};
  for (const step of spec.steps) {
    const task = taskOf(step.name);
    components[`comp-${task}`] = componentSpec(step, `exec-${task}`, paramTypes);
    executors[`exec-${task}`] = {
      container: { image, ...stepContainer(spec, step, { kilnPath: opts.kilnPath }) },
    };
    tasks[task] = taskSpec(step, `comp-${task}`, taskOf);
  }

  const rootParameters = Object.fromEntries(
    spec.params.map((param): [string, KfpRootParameter] => [
      param.name,
      { parameterType: kfpParameterType(param), defaultValue: param.default, isOptional: true },
    ]),
  );
  return {
    pipelineInfo: {
      name: pipelineName(spec.name),
      displayName: spec.name,
      description: `Exported by Kiln from ${spec.notebook.path ?? "a notebook"} (spec hash ${spec.hash}).`,
    },
    components,
    deploymentSpec: { executors },
    root: {
      dag: { tasks },
      ...(spec.params.length > 0 ? { inputDefinitions: { parameters: rootParameters } } : {}),
    },
    schemaVersion: "2.1.0",
    sdkVersion: opts.version ? `kiln-${opts.version}` : "kiln",
  };
}

/**
 * Exports a compiled notebook as a Kubeflow Pipelines v2 pipeline: the YAML text to upload to KFP
 * (UI, `kfp.Client().create_run_from_pipeline_package`, or `kfp.components.load_component_from_file`).
 * Every step runs `node <kilnPath>/kernel-lib/dist/pipeline/executor/run-step-cli.js` in `image`,
 * with the spec embedded in the task's command.
 *
 * @throws {TypeError} when `image` is empty or `kilnPath` is not absolute.
 * @throws {KfpExportError} when the spec has no steps or cannot be expressed in KFP.
 *
 * @example
 * ```ts
 * const yaml = exportKubeflowPipeline(spec, { image: "ghcr.io/acme/kiln-steps:1.2", version: "0.1.0" });
 * await writeFile("pipeline.yaml", yaml);
 * ```
 */
export function exportKubeflowPipeline(spec: PipelineSpec, options: KubeflowExportOptions): string {
  const ir = buildKubeflowPipeline(spec, options);
  const header = [
    "# PIPELINE DEFINITION",
    `# Name: ${ir.pipelineInfo.name}`,
    `# ${oneLine(ir.pipelineInfo.description)} Re-export instead of editing by hand.`,
  ].join("\n");
  // Sorted keys like the KFP compiler, so two exports of one spec diff cleanly; no line folding
  // and no anchors, which some KFP front ends do not expect.
  const body = stringify(ir, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
  return `${header}\n${body}`;
}

function componentSpec(
  step: StepSpec,
  executorLabel: string,
  paramTypes: ReadonlyMap<string, KfpParameterType>,
): KfpComponentSpec {
  const inputs: KfpInterface = {};
  if (step.inputs.length > 0) {
    inputs.artifacts = Object.fromEntries(
      step.inputs.map((input) => [input.name, { artifactType: artifactType() }]),
    );
  }
  if (step.params.length > 0) {
    inputs.parameters = Object.fromEntries(
      step.params.map((name) => [name, { parameterType: paramTypes.get(name) ?? "STRING" }]),
    );
  }
  const component: KfpComponentSpec = { executorLabel };
  if (inputs.artifacts || inputs.parameters) component.inputDefinitions = inputs;
  if (step.outputs.length > 0) {
    component.outputDefinitions = {
      artifacts: Object.fromEntries(
        step.outputs.map((name) => [name, { artifactType: artifactType() }]),
      ),
    };
  }
  return component;
}

function taskSpec(
  step: StepSpec,
  componentName: string,
  taskOf: (stepName: string) => string,
): KfpTaskSpec {
  const task: KfpTaskSpec = {
    cachingOptions: step.cache ? { enableCache: true } : {},
    componentRef: { name: componentName },
    taskInfo: { name: step.name },
  };
  // Data producers and `after` steps alike: KFP lists every upstream task here.
  if (step.dependsOn.length > 0) task.dependentTasks = step.dependsOn.map(taskOf).sort();
  const inputs: NonNullable<KfpTaskSpec["inputs"]> = {};
  if (step.inputs.length > 0) {
    inputs.artifacts = Object.fromEntries(
      step.inputs.map((input) => [
        input.name,
        { taskOutputArtifact: { producerTask: taskOf(input.from), outputArtifactKey: input.name } },
      ]),
    );
  }
  if (step.params.length > 0) {
    inputs.parameters = Object.fromEntries(
      step.params.map((name) => [name, { componentInputParameter: name }]),
    );
  }
  if (inputs.artifacts || inputs.parameters) task.inputs = inputs;
  return task;
}

function kfpParameterType(param: ParamSpec): KfpParameterType {
  switch (param.type) {
    case "number":
      return "NUMBER_DOUBLE";
    case "string":
      return "STRING";
    case "boolean":
      return "BOOLEAN";
    case "json":
      if (Array.isArray(param.default)) return "LIST";
      if (param.default !== null && typeof param.default === "object") return "STRUCT";
      throw new KfpExportError(
        `Param "${param.name}" is json with default ${JSON.stringify(param.default)}; Kubeflow only ` +
          `carries json params that are objects or lists. Give it an object or list default, ` +
          `or declare it as a number, string or boolean.`,
      );
  }
}

// Every name a step refers to must exist, or KFP would reject the pipeline at upload time with a
// message about tasks the user never wrote.
function checkReferences(spec: PipelineSpec): void {
  const steps = new Map(spec.steps.map((step) => [step.name, step]));
  const stale = "Recompile the notebook; the spec may be stale or edited by hand.";
  for (const step of spec.steps) {
    for (const input of step.inputs) {
      const producer = steps.get(input.from);
      if (!producer?.outputs.includes(input.name)) {
        throw new KfpExportError(
          `Step "${step.name}" reads "${input.name}" from step "${input.from}", which ` +
            `${producer ? "does not output it" : "does not exist"}. ${stale}`,
        );
      }
      if (step.params.includes(input.name)) {
        throw new KfpExportError(
          `Step "${step.name}" reads "${input.name}" both as a pipeline param and as a value from ` +
            `step "${input.from}"; Kubeflow needs distinct input names. Rename one of them.`,
        );
      }
    }
    for (const upstream of step.dependsOn) {
      if (!steps.has(upstream)) {
        throw new KfpExportError(
          `Step "${step.name}" depends on step "${upstream}", which does not exist. ${stale}`,
        );
      }
    }
  }
}

function pipelineName(name: string): string {
  const sanitized = sanitizeKfpName(name).slice(0, MAX_PIPELINE_NAME).replace(/-+$/, "");
  return sanitized || "kiln-pipeline";
}

function artifactType(): KfpArtifactType {
  return { schemaTitle: "system.Artifact", schemaVersion: "0.0.1" };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}
